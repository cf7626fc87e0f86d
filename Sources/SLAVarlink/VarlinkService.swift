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
}
