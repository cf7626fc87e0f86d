import SLAJSON

/// A service served over Varlink: its interfaces, its identity for `GetInfo`, and its methods.
public protocol VarlinkService: Sendable {
    /// Interface name -> its description text, served through org.varlink.service.GetInterfaceDescription.
    ///
    /// Read once, when the server is made. `org.varlink.service` itself is added by the server.
    var interfaces: [(name: String, description: String)] { get }
    /// Served through org.varlink.service.GetInfo.
    var vendor: String { get }
    var product: String { get }
    var version: String { get }
    var url: String { get }

    /// Answers one call to one of `interfaces` through `replies`.
    ///
    /// Calls on one connection are handed over one at a time, in order; the next starts after this
    /// returns. A call that is not `oneway` must end with a reply without `continues` or a `fail`;
    /// if it returns without one, the server answers `MethodNotImplemented` so the client is not left
    /// waiting. Methods the service does not know should `fail(.methodNotFound(call.method))`.
    /// The server cannot hand a connection over to another protocol, so a service that sees
    /// `upgrade` set should refuse the call, e.g. with `invalidParameter("upgrade")`.
    func handle(_ call: VarlinkCall, peer: PeerCredentials, replies: VarlinkReplies) async

    /// See the extension's default, which answers nothing directly.
    func answerDirectly(
        _ call: VarlinkCall,
        peer: PeerCredentials,
        answer: @escaping @Sendable (VarlinkDirectAnswer) -> Void
    ) -> Bool
}

/// How a call answered directly ends: its one reply, or an error.
public typealias VarlinkDirectAnswer = Result<[String: JSONValue], VarlinkError>

extension VarlinkService {
    /// Starts answering `call` without a task, and says whether it did; false sends the call through
    /// ``handle(_:peer:replies:)`` instead.
    ///
    /// For the hot calls of a service (many small calls a second, one reply each): the call is read,
    /// handed over and answered on the connection's event loop, which spares the hand-offs between
    /// threads that an async handler costs and that dominate a call that does little work. It is
    /// called on an event loop, so it must not block; `answer` must be called exactly once, from any
    /// thread. Only calls that are neither `oneway`, `more` nor `upgrade` are offered, and only when no
    /// call of the connection is in progress through ``handle(_:peer:replies:)``. A pipelining client
    /// may have several direct calls in flight: they are offered in call order, and their answers are
    /// written in call order whatever order they come in.
    ///
    /// The default answers nothing directly.
    public func answerDirectly(
        _ call: VarlinkCall,
        peer: PeerCredentials,
        answer: @escaping @Sendable (VarlinkDirectAnswer) -> Void
    ) -> Bool {
        false
    }
}
