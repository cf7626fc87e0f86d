import SLAJSON

/// One method call as a client sent it.
public struct VarlinkCall: Sendable, Equatable {
    /// The fully qualified method name, `interface.Method`.
    public var method: String
    /// The input parameters; empty when the call had none.
    public var parameters: [String: JSONValue]
    /// The client wants no reply; replies to such a call are dropped.
    public var oneway: Bool
    /// The client accepts several replies (`continues: true` on all but the last).
    public var more: Bool
    /// The client asks for the connection to be handed over to another protocol after the reply.
    public var upgrade: Bool

    /// Makes a call; flags default to a plain call awaiting one reply.
    public init(
        method: String,
        parameters: [String: JSONValue] = [:],
        oneway: Bool = false,
        more: Bool = false,
        upgrade: Bool = false
    ) {
        self.method = method
        self.parameters = parameters
        self.oneway = oneway
        self.more = more
        self.upgrade = upgrade
    }

    /// The interface part of `method`: everything before the last dot.
    public var interface: String {
        guard let dot = self.method.lastIndex(of: ".") else { return "" }
        return String(self.method[..<dot])
    }

    /// The method part of `method`: everything after the last dot.
    public var methodName: String {
        guard let dot = self.method.lastIndex(of: ".") else { return self.method }
        return String(self.method[self.method.index(after: dot)...])
    }
}

/// Who is at the other end of a connection, as the kernel saw it when the client connected (SO_PEERCRED).
public struct PeerCredentials: Sendable, Equatable {
    /// The client's process id (in the server's pid namespace).
    public var pid: Int32
    /// The client's effective user id.
    public var uid: UInt32
    /// The client's effective group id.
    public var gid: UInt32
    /// The client's supplementary groups as the kernel saw them when it connected (SO_PEERGROUPS),
    /// ascending; nil where the kernel cannot say (Linux before 4.13), and roles then come from the
    /// user database.
    public var groups: [UInt32]?

    /// Makes credentials from their ids.
    public init(pid: Int32, uid: UInt32, gid: UInt32, groups: [UInt32]? = nil) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.groups = groups
    }
}

/// A Varlink error reply: a fully qualified error name and its parameters.
///
/// Services throw or `fail` with their own (`io.slad.Sla.UnknownTicket`); the static helpers make
/// the standard errors of `org.varlink.service`.
public struct VarlinkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The fully qualified error name, `interface.ErrorName`.
    public var name: String
    /// The error's parameters, as its interface declares them.
    public var parameters: [String: JSONValue]

    /// Makes an error reply named `name` (`interface.ErrorName`).
    public init(name: String, parameters: [String: JSONValue] = [:]) {
        self.name = name
        self.parameters = parameters
    }

    public var description: String {
        self.parameters.isEmpty ? self.name : "\(self.name) \(JSONValue.object(self.parameters).encodedString())"
    }

    /// The called interface is not served here.
    public static func interfaceNotFound(_ interface: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.InterfaceNotFound", parameters: ["interface": .string(interface)])
    }

    /// The interface has no such method; `method` is the fully qualified name that was called.
    public static func methodNotFound(_ method: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.MethodNotFound", parameters: ["method": .string(method)])
    }

    /// The interface defines the method but this service does not implement it.
    public static func methodNotImplemented(_ method: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.MethodNotImplemented", parameters: ["method": .string(method)])
    }

    /// A parameter is missing or wrong; `parameter` names it (or, for a malformed message, says what was wrong).
    public static func invalidParameter(_ parameter: String) -> VarlinkError {
        VarlinkError(name: "org.varlink.service.InvalidParameter", parameters: ["parameter": .string(parameter)])
    }

    /// The client may not make this call.
    public static let permissionDenied = VarlinkError(name: "org.varlink.service.PermissionDenied")

    /// The method streams and must be called with `more`.
    public static let expectedMore = VarlinkError(name: "org.varlink.service.ExpectedMore")
}
