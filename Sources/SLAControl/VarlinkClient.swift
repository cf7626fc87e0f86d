import SLAJSON

/// A blocking Varlink client on one Unix stream socket: no event loop, one call at a time.
///
/// Varlink frames each message as a JSON object followed by a NUL byte. A call is
/// `{"method":"io.slad.Sla.GetTicket","parameters":{...}}`; the reply is `{"parameters":{...}}`, or
/// `{"error":"NAME","parameters":{...}}`. With `"more":true` the peer sends replies with
/// `"continues":true` until the last one.
///
/// Not thread-safe: use one client from one thread at a time.
public final class VarlinkClient {
    /// The socket this client connects to.
    public let socketPath: String
    /// The largest reply accepted; a longer one is a protocol violation rather than unbounded memory.
    public var maximumReplySize = 64 << 20

    private var socket: UnixSocket?
    /// Bytes received past the last complete reply (a stream's next replies may arrive together).
    private var received: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 64 << 10)

    /// Connects to slad's socket at `socketPath`.
    /// - Throws: `ControlError.unreachable` with the errno of the failed connect (ENOENT: nothing there;
    ///   ECONNREFUSED: nobody listening; EACCES: the socket's permissions refuse this user).
    public init(socketPath: String) throws {
        self.socketPath = socketPath
        self.socket = try UnixSocket.connect(to: socketPath)
    }

    deinit {
        socket?.close()
    }

    /// Calls `method` and returns the reply's parameters (empty when the reply has none).
    /// - Throws: `ControlError.remote` for a Varlink error reply; `.protocolViolation` for anything that is
    ///   not one reply; `.unreachable` when the connection was dropped earlier and cannot be made again.
    public func call(_ method: String, _ parameters: [String: JSONValue] = [:]) throws -> [String: JSONValue] {
        let reply = try exchange(method, parameters, more: false)
        guard !reply.continues else {
            disconnect()
            throw garbage("\(method) was called without \"more\" and the reply says \"continues\": true")
        }
        return reply.parameters
    }

    /// Calls `method` with `"more": true` and hands each reply's parameters to `each`, until a reply
    /// without `"continues": true` (which is handed over too) or until `each` returns false.
    ///
    /// Stopping early leaves unread replies on the connection, so the client then closes it; the next
    /// call connects again.
    /// - Throws: as ``call(_:_:)``; an error reply ends the stream with `ControlError.remote`.
    public func stream(
        _ method: String, _ parameters: [String: JSONValue] = [:], _ each: ([String: JSONValue]) throws -> Bool
    ) throws {
        try stream(method, parameters) { parameters, _ in try each(parameters) }
    }

    /// ``stream(_:_:_:)`` that also hands over each reply's text as it came (without its NUL), for a
    /// caller that must pass on what the server wrote rather than a re-serialisation of it.
    public func stream(
        _ method: String, _ parameters: [String: JSONValue] = [:],
        withText each: ([String: JSONValue], [UInt8]) throws -> Bool
    ) throws {
        var reply = try exchange(method, parameters, more: true)
        var finished = false
        var replies = 1
        defer { if !finished { disconnect() } }
        while true {
            guard try each(reply.parameters, reply.text) else { return }
            guard reply.continues else {
                finished = true
                return
            }
            reply = try receiveReply(to: method, after: replies)
            replies += 1
        }
    }

    // MARK: - Framing

    struct Reply {
        var parameters: [String: JSONValue]
        var continues: Bool
        /// The message as it came, without its NUL.
        var text: [UInt8] = []
    }

    private func exchange(_ method: String, _ parameters: [String: JSONValue], more: Bool) throws -> Reply {
        var message: [String: JSONValue] = ["method": .string(method), "parameters": .object(parameters)]
        if more { message["more"] = true }
        var bytes = JSONValue.object(message).encode()
        bytes.append(0)

        let socket = try connected()
        if let code = socket.send(bytes) {
            disconnect()
            throw ControlError.protocolViolation(
                "slad closed the connection before \(method) was sent (\(SystemError.message(code))); did it stop? "
                    + "(systemctl status slad)")
        }
        do {
            return try receiveReply(to: method)
        } catch let error as ControlError {
            if case .protocolViolation = error { disconnect() }
            throw error
        }
    }

    /// Reads one NUL-terminated message and decodes it as a reply; `after` counts a stream's earlier replies.
    private func receiveReply(to method: String, after replies: Int = 0) throws -> Reply {
        let message = try receiveMessage(replyingTo: method, after: replies)
        let value: JSONValue
        do {
            value = try JSONValue.decode(message)
        } catch {
            throw garbage("the reply to \(method) is not JSON: \(Self.excerpt(message))")
        }
        guard case .object(let reply) = value else {
            throw garbage("the reply to \(method) is not a JSON object: \(Self.excerpt(message))")
        }
        let parameters: [String: JSONValue]
        switch reply["parameters"] {
        case nil, .null?: parameters = [:]
        case .object(let object)?: parameters = object
        default:
            throw garbage("the reply to \(method) has \"parameters\" that are not an object")
        }
        if let error = reply["error"] {
            guard case .string(let name) = error else {
                throw garbage("the reply to \(method) has an \"error\" that is not a string")
            }
            throw ControlError.remote(name: name, parameters: parameters)
        }
        let continues: Bool
        switch reply["continues"] {
        case nil, .null?: continues = false
        case .bool(let flag)?: continues = flag
        default:
            throw garbage("the reply to \(method) has a \"continues\" that is not a boolean")
        }
        return Reply(parameters: parameters, continues: continues, text: message)
    }

    private func receiveMessage(replyingTo method: String, after replies: Int) throws -> [UInt8] {
        let socket = try connected()
        var searched = 0
        while true {
            if let end = received[searched...].firstIndex(of: 0) {
                let message = Array(received[..<end])
                received.removeSubrange(...end)
                return message
            }
            searched = received.count
            guard received.count <= maximumReplySize else {
                throw garbage("the reply to \(method) is longer than \(maximumReplySize) bytes without a closing NUL")
            }
            switch socket.receive(into: &chunk) {
            case .success(0):
                let what: String
                if !received.isEmpty {
                    what = "in the middle of its reply to \(method) (\(received.count) bytes without the closing NUL)"
                } else if replies > 0 {
                    what = "after \(replies) \(replies == 1 ? "reply" : "replies") to \(method), without a last one"
                } else {
                    what = "without answering \(method)"
                }
                throw ControlError.protocolViolation(
                    "slad closed the connection \(what); did it stop? (systemctl status slad)")
            case .success(let count):
                received.append(contentsOf: chunk[..<count])
            case .failure(let error):
                throw ControlError.protocolViolation(
                    "reading the reply to \(method) failed: \(SystemError.message(error.code)); did slad stop? "
                        + "(systemctl status slad)")
            }
        }
    }

    private func connected() throws -> UnixSocket {
        if let socket { return socket }
        let socket = try UnixSocket.connect(to: socketPath)
        self.socket = socket
        return socket
    }

    private func disconnect() {
        socket?.close()
        socket = nil
        received.removeAll()
    }

    /// A reply that is no Varlink reply: most likely another program's socket, or another version of slad.
    func garbage(_ detail: String) -> ControlError {
        .protocolViolation(
            "\(detail); check that \(socketPath) is slad's socket and that slactl and slad are the same version")
    }

    private static func excerpt(_ message: [UInt8]) -> String {
        let text = String(decoding: message.prefix(80), as: UTF8.self)
        return "\"\(text)\(message.count > 80 ? "..." : "")\""
    }
}
