import NIOCore
import SLAJSON
import Synchronization

/// Why a reply could not be sent.
public struct VarlinkReplyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// `continues: true` on a call made without `more`: the client expects exactly one reply.
        case continuesWithoutMore
        /// The call already had its final reply (or its handler returned); nothing more may follow.
        case alreadyAnswered
        /// The client has gone, or the server is closing the connection.
        case clientGone
        /// The client left more than `maxQueuedReplyBytes` unread; the connection was dropped.
        case clientTooSlow
    }

    /// What went wrong.
    public var code: Code
    /// The fully qualified method of the call being answered.
    public var method: String

    /// Makes an error for a reply to `method`.
    public init(_ code: Code, method: String) {
        self.code = code
        self.method = method
    }

    public var description: String {
        switch self.code {
        case .continuesWithoutMore: "reply to \(self.method): continues needs a call with more"
        case .alreadyAnswered: "reply to \(self.method): the call was already answered"
        case .clientGone: "reply to \(self.method): the client has gone"
        case .clientTooSlow: "reply to \(self.method): the client left too many replies unread and was dropped"
        }
    }
}

/// Handed to the service for one call; replies go back in order on the connection.
///
/// Replies are queued, never waited on: a service may stream to a client that reads slowly, and a
/// client that falls too far behind is dropped (the reply then throws `clientTooSlow`). Replies to a
/// `oneway` call are accepted and dropped.
public struct VarlinkReplies: Sendable {
    let exchange: CallExchange

    /// Sends a reply; `continues: true` (only for a call made with `more`) promises more to follow.
    public func reply(_ parameters: [String: JSONValue], continues: Bool = false) async throws {
        try self.exchange.send(final: !continues) { VarlinkMessage.reply(parameters, continues: continues) }
    }

    /// Sends an error reply; it ends the call.
    public func fail(_ error: VarlinkError) async throws {
        try self.exchange.send(final: true) { VarlinkMessage.errorReply(error) }
    }

    /// Returns when the client has gone (so a streaming method such as Watch can stop).
    ///
    /// Also returns when the server shuts down, or the client is dropped for reading too slowly:
    /// in each case nothing more will reach the client.
    public func clientGone() async {
        await self.exchange.connection.ended.wait()
    }
}

/// The replies of one call: enforces the Varlink rules for them and queues them on the connection.
final class CallExchange: Sendable {
    private enum Phase {
        case open
        /// The final reply went out.
        case answered
        /// The handler returned; the call is over whatever it sent.
        case over
    }

    let call: VarlinkCall
    let connection: VarlinkConnection
    private let phase = Mutex(Phase.open)

    init(call: VarlinkCall, connection: VarlinkConnection) {
        self.call = call
        self.connection = connection
    }

    func send(final: Bool, frame: () -> ByteBuffer) throws {
        if !final && !self.call.more {
            throw VarlinkReplyError(.continuesWithoutMore, method: self.call.method)
        }
        // The phase lock is held while queuing so two replies sent at once from different tasks still
        // reach the queue one after the other, the final one last.
        try self.phase.withLock { phase in
            guard case .open = phase else {
                throw VarlinkReplyError(.alreadyAnswered, method: self.call.method)
            }
            if final { phase = .answered }
            if self.call.oneway { return }
            try self.connection.enqueue(frame(), method: self.call.method)
        }
    }

    /// Marks the call over; returns whether it had its final reply.
    func end() -> Bool {
        self.phase.withLock { phase in
            defer { phase = .over }
            if case .answered = phase { return true }
            return false
        }
    }
}
