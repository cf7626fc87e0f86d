import SLAJSON

/// Routes calls: `org.varlink.service` is answered here, calls to the service's interfaces go to the
/// service, anything else is `InterfaceNotFound`.
struct VarlinkDispatcher: Sendable {
    static let serviceInterfaceName = "org.varlink.service"

    /// The org.varlink.service interface as varlink.org defines it; every Varlink server serves it.
    static let serviceInterfaceDescription = """
        # The Varlink Service Interface is provided by every varlink service. It
        # describes the service and the interfaces it implements.
        interface org.varlink.service

        # Get a list of all the interfaces a service provides and information
        # about the implementation.
        method GetInfo() -> (
          vendor: string,
          product: string,
          version: string,
          url: string,
          interfaces: []string
        )

        # Get the description of an interface that is implemented by this service.
        method GetInterfaceDescription(interface: string) -> (description: string)

        # The requested interface was not found.
        error InterfaceNotFound (interface: string)

        # The requested method was not found
        error MethodNotFound (method: string)

        # The interface defines the requested method, but the service does not
        # implement it.
        error MethodNotImplemented (method: string)

        # One of the passed parameters is invalid.
        error InvalidParameter (parameter: string)

        # Client is denied access
        error PermissionDenied ()

        # Method is expected to be called with 'more' set to true, but wasn't
        error ExpectedMore ()

        """

    let service: any VarlinkService
    /// Interface names in the order GetInfo lists them, org.varlink.service first.
    let interfaceNames: [String]
    let descriptions: [String: String]
    /// The GetInfo reply, made once.
    let info: [String: JSONValue]

    init(service: some VarlinkService) {
        self.service = service
        var names = [Self.serviceInterfaceName]
        var descriptions = [Self.serviceInterfaceName: Self.serviceInterfaceDescription]
        for interface in service.interfaces where descriptions[interface.name] == nil {
            names.append(interface.name)
            descriptions[interface.name] = interface.description
        }
        self.interfaceNames = names
        self.descriptions = descriptions
        self.info = [
            "vendor": .string(service.vendor),
            "product": .string(service.product),
            "version": .string(service.version),
            "url": .string(service.url),
            "interfaces": .array(names.map { .string($0) }),
        ]
    }

    func dispatch(_ call: VarlinkCall, on connection: VarlinkConnection) async {
        let exchange = CallExchange(call: call, connection: connection)
        let replies = VarlinkReplies(exchange: exchange)
        let interface = call.interface
        if interface == Self.serviceInterfaceName {
            self.answerServiceInterface(call, replies: replies)
        } else if self.descriptions[interface] == nil {
            try? exchange.send(final: true) { VarlinkMessage.errorReply(.interfaceNotFound(interface)) }
        } else {
            await self.service.handle(call, peer: connection.peer, replies: replies)
        }
        let answered = exchange.end()
        if !answered && !call.oneway && !connection.isShuttingDown && !connection.queue.isClosed {
            // The client waits for a final reply it would never get; answering keeps it (and every
            // call it pipelined behind this one) from hanging.
            connection.logger.error(
                "Varlink service returned without a final reply",
                metadata: ["method": "\(call.method)"]
            )
            try? connection.enqueue(
                VarlinkMessage.errorReply(.methodNotImplemented(call.method)),
                method: call.method
            )
        }
    }

    /// Starts answering `call` without a task when it can: org.varlink.service always (it is a lookup),
    /// the service's calls when the service takes them.
    func answerDirectly(
        _ call: VarlinkCall, peer: PeerCredentials, answer: @escaping @Sendable (VarlinkDirectAnswer) -> Void
    ) -> Bool {
        guard call.interface == Self.serviceInterfaceName else {
            return self.descriptions[call.interface] != nil
                && self.service.answerDirectly(call, peer: peer, answer: answer)
        }
        answer(self.serviceInterfaceAnswer(call))
        return true
    }

    private func answerServiceInterface(_ call: VarlinkCall, replies: VarlinkReplies) {
        let exchange = replies.exchange
        try? exchange.send(final: true) {
            switch self.serviceInterfaceAnswer(call) {
            case .success(let parameters): VarlinkMessage.reply(parameters, continues: false)
            case .failure(let error): VarlinkMessage.errorReply(error)
            }
        }
    }

    private func serviceInterfaceAnswer(_ call: VarlinkCall) -> VarlinkDirectAnswer {
        switch call.methodName {
        case "GetInfo":
            return .success(self.info)
        case "GetInterfaceDescription":
            guard case .string(let name)? = call.parameters["interface"] else {
                return .failure(.invalidParameter("interface"))
            }
            guard let description = self.descriptions[name] else { return .failure(.interfaceNotFound(name)) }
            return .success(["description": .string(description)])
        default:
            return .failure(.methodNotFound(call.method))
        }
    }
}
