import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Where the listener serves: a host and port it binds, or a listening socket systemd passed.
public enum HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `host` is a name or an IP address (IPv6 without brackets); port 0 takes a free port.
    case address(host: String, port: Int)
    /// A listening TCP socket inherited from systemd (socket activation); the listener owns it.
    case inherited(fd: Int32)

    public var description: String {
        switch self {
        case .address(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        case .inherited(let fd): "the socket systemd passed (fd \(fd))"
        }
    }
}

/// An endpoint the listener could not serve on, and why.
public struct HTTPBindFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public var endpoint: HTTPEndpoint
    public var reason: String

    public var description: String { "cannot listen on \(endpoint): \(reason)" }
}

/// A request as the handler sees it: only what `/metrics` and `/healthz` need.
public struct HTTPRequestSummary: Sendable, Equatable {
    public var method: String
    public var path: String
    public var accept: String?

    public init(method: String, path: String, accept: String? = nil) {
        self.method = method
        self.path = path
        self.accept = accept
    }
}

/// A complete answer: status, content type and body.
public struct HTTPAnswer: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    /// Extra header fields, e.g. `Allow` on a 405.
    public var headers: [(String, String)]

    public init(status: Int, contentType: String = "text/plain; charset=utf-8", body: [UInt8], headers: [(String, String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// A one-line text answer.
    public static func text(_ status: Int, _ line: String, headers: [(String, String)] = []) -> HTTPAnswer {
        HTTPAnswer(status: status, body: Array((line + "\n").utf8), headers: headers)
    }

    public static func == (lhs: HTTPAnswer, rhs: HTTPAnswer) -> Bool {
        lhs.status == rhs.status && lhs.contentType == rhs.contentType && lhs.body == rhs.body
            && lhs.headers.map { "\($0.0): \($0.1)" } == rhs.headers.map { "\($0.0): \($0.1)" }
    }
}

/// slad's optional HTTP listener, a `Service`: HTTP/1.1 on HummingbirdCore's channel, on one event
/// loop thread of its own, so that a flood of HTTP clients cannot hold up the control socket's loops.
///
/// The set of endpoints may change while it runs (a reload): ``listen(on:allOrNothing:)`` binds the
/// new ones before any old one is closed. Requests are answered by `handler`; the listener itself
/// bounds what a client can cost: connections at once, header size, and the time a request's head
/// may take to arrive (a client that sends its headers a byte at a time is cut off).
public final class HTTPListener: Service, Sendable {
    /// What one client may cost.
    public struct Limits: Sendable {
        /// Connections served at once; beyond, a new connection is closed at once.
        public var maxConnections: Int
        /// Time from connecting (or from the last response) until a request's head must have arrived,
        /// and how long an idle keep-alive connection stays open.
        public var requestHeadTimeout: Duration
        /// Most bytes of all header fields of a request; more is answered 400 and the connection closed.
        public var maxHeaderBytes: Int

        public init(maxConnections: Int = 64, requestHeadTimeout: Duration = .seconds(10), maxHeaderBytes: Int = 16 * 1024) {
            self.maxConnections = maxConnections
            self.requestHeadTimeout = requestHeadTimeout
            self.maxHeaderBytes = maxHeaderBytes
        }
    }

    public typealias Handler = @Sendable (HTTPRequestSummary) async -> HTTPAnswer
    typealias ServerChannel = NIOAsyncChannel<HTTP1Channel.Value, Never>

    /// A bound socket and the helper that quiesces it and its connections. One helper per socket:
    /// NIOExtras' helper tracks the first server channel it was made for only, so a shared one left
    /// sockets bound after a failed bind or a reload open at shutdown, and `run()` never returned.
    private struct Served {
        var channel: ServerChannel
        var quiescing: ServerQuiescingHelper
    }

    private struct State {
        var bound: [HTTPEndpoint: Served] = [:]
        var shuttingDown = false
        var active = 0
    }

    private let handler: Handler
    private let limits: Limits
    /// HummingbirdCore's HTTP/1.1 pipeline with slad's limits, and the responder that calls `handler`.
    private let channelSetup: HTTP1Channel
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let state = Mutex(State())
    private let arrivals: AsyncStream<ServerChannel>
    private let arrivalsInput: AsyncStream<ServerChannel>.Continuation

    public init(limits: Limits = .init(), logger: Logger, handler: @escaping Handler) {
        self.handler = handler
        self.limits = limits
        self.logger = logger
        let timeout = limits.requestHeadTimeout.components
        channelSetup = HTTP1Channel(
            responder: { request, writer, channel in
                try await Self.answer(request, writer: writer, channel: channel, handler: handler)
            },
            configuration: .init(
                idleTimeout: .nanoseconds(timeout.seconds * 1_000_000_000 + timeout.attoseconds / 1_000_000_000),
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes,
                    maxHeaderFieldCount: 100)))
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        (arrivals, arrivalsInput) = AsyncStream<ServerChannel>.makeStream()
    }

    deinit {
        group.shutdownGracefully { _ in }
    }

    /// The endpoints served now, with the local address each is bound to (the port, when 0 was asked).
    public var localAddresses: [HTTPEndpoint: SocketAddress] {
        state.withLock { state in state.bound.compactMapValues { $0.channel.channel.localAddress } }
    }

    /// Serves on exactly `endpoints` from now on: binds those not served yet, then closes those no longer
    /// named. Returns what could not be bound.
    ///
    /// - Parameter allOrNothing: on a failure, close what this call bound and leave the endpoints as they
    ///   were (a reload that cannot bind is refused whole); else serve on what could be bound.
    @discardableResult
    public func listen(on endpoints: [HTTPEndpoint], allOrNothing: Bool = false) async -> [HTTPBindFailure] {
        let current = state.withLock { $0.bound }
        if state.withLock({ $0.shuttingDown }) { return [] }
        var failures: [HTTPBindFailure] = []
        var added: [HTTPEndpoint: Served] = [:]
        for endpoint in Set(endpoints) where current[endpoint] == nil {
            do {
                added[endpoint] = try await bind(endpoint)
            } catch let failure as HTTPBindFailure {
                failures.append(failure)
            } catch {
                failures.append(HTTPBindFailure(endpoint: endpoint, reason: "\(error)"))
            }
        }
        if allOrNothing, !failures.isEmpty {
            for served in added.values { try? await served.channel.channel.close() }
            return failures
        }
        let wanted = Set(endpoints)
        let removed = state.withLock { state -> [Served] in
            // A shutdown that came while binding: what this call bound goes with the rest.
            if state.shuttingDown { return Array(added.values) }
            var removed: [Served] = []
            for (endpoint, served) in state.bound where !wanted.contains(endpoint) {
                removed.append(served)
                state.bound[endpoint] = nil
            }
            for (endpoint, channel) in added { state.bound[endpoint] = channel }
            return removed
        }
        if state.withLock({ $0.shuttingDown }) {
            for served in removed { served.quiescing.initiateShutdown(promise: nil) }
            return failures
        }
        for served in added.values {
            logger.info(
                "HTTP listener serving", metadata: ["address": "\(served.channel.channel.localAddress.map { "\($0)" } ?? "?")"])
            arrivalsInput.yield(served.channel)
        }
        // A socket no longer named accepts no more; its requests in progress finish, idle connections close.
        for served in removed { served.quiescing.initiateShutdown(promise: nil) }
        return failures
    }

    private func bind(_ endpoint: HTTPEndpoint) async throws -> Served {
        let channelSetup = self.channelSetup
        let logger = self.logger
        let quiescing = ServerQuiescingHelper(group: group)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelInitializer { [quiescing] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
        let initializer: @Sendable (any Channel) -> EventLoopFuture<HTTP1Channel.Value> = { channel in
            channelSetup.setup(channel: channel, logger: logger)
        }
        let channel: ServerChannel
        switch endpoint {
        case .address(let host, let port):
            guard (0...65535).contains(port) else {
                throw HTTPBindFailure(endpoint: endpoint, reason: "the port must be between 0 and 65535")
            }
            do {
                channel = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
            } catch let error as IOError {
                throw HTTPBindFailure(endpoint: endpoint, reason: "\(String(cString: strerror(error.errnoCode))) (errno \(error.errnoCode))")
            } catch {
                throw HTTPBindFailure(endpoint: endpoint, reason: "\(error)")
            }
        case .inherited(let fd):
            do {
                channel = try await bootstrap.bind(fd, childChannelInitializer: initializer)
            } catch {
                throw HTTPBindFailure(endpoint: endpoint, reason: "\(error)")
            }
            // NIO listens again with its default backlog; restore one fit for many scrapers.
            _ = Glibc.listen(fd, 256)
        }
        return Served(channel: channel, quiescing: quiescing)
    }

    /// Serves until graceful shutdown (or cancellation): each socket's connections in a child task,
    /// sockets bound while it runs included. Then stops accepting, lets requests in progress finish
    /// and closes idle connections.
    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    for await channel in arrivals {
                        group.addTask { await self.accept(on: channel) }
                    }
                }
            } onCancel: {
                self.beginShutdown()
            }
        } onGracefulShutdown: {
            self.beginShutdown()
        }
    }

    /// Stops serving: the sockets close, idle connections close, requests in progress finish.
    public func shutdown() {
        beginShutdown()
    }

    private func beginShutdown() {
        let served = state.withLock { state -> [Served]? in
            defer { state.shuttingDown = true; state.bound = [:] }
            return state.shuttingDown ? nil : Array(state.bound.values)
        }
        guard let served else { return }
        arrivalsInput.finish()
        for socket in served { socket.quiescing.initiateShutdown(promise: nil) }
    }

    private func accept(on server: ServerChannel) async {
        let logger = self.logger
        do {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        guard admit() else {
                            // Over the limit: closed at once, so a flood costs slad a socket for a moment only
                            // (through the async channel, which must see its writer finished).
                            group.addTask { try? await connection.executeThenClose { _, _ in } }
                            continue
                        }
                        group.addTask {
                            await self.serve(connection, logger: logger)
                            self.release()
                        }
                    }
                }
            }
        } catch {
            logger.debug("HTTP listener stopped accepting: \(error)")
        }
    }

    private func serve(_ connection: HTTP1Channel.Value, logger: Logger) async {
        await channelSetup.handle(value: connection, logger: logger)
    }

    private func admit() -> Bool {
        state.withLock { state in
            guard state.active < limits.maxConnections else { return false }
            state.active += 1
            return true
        }
    }

    private func release() {
        state.withLock { $0.active -= 1 }
    }

    /// Connections served now.
    public var activeConnections: Int { state.withLock { $0.active } }

    private static func answer(
        _ request: Request, writer: consuming ResponseWriter, channel: any Channel, handler: Handler
    ) async throws {
        let summary = HTTPRequestSummary(
            method: request.method.rawValue, path: request.uri.path, accept: request.headers[.accept])
        // A body is never asked for: answering without reading it and closing spares slad a slow upload.
        let hasBody =
            request.headers[.transferEncoding] != nil || (request.headers[.contentLength].flatMap { Int($0) } ?? 0) > 0
        let answer: HTTPAnswer
        if hasBody {
            answer = .text(413, "slad's HTTP endpoints take no request body")
        } else {
            answer = await handler(summary)
        }
        var fields = HTTPFields()
        fields[.contentType] = answer.contentType
        fields[.contentLength] = String(answer.body.count)
        for (name, value) in answer.headers {
            if let field = HTTPField.Name(name) { fields[field] = value }
        }
        if hasBody { fields[.connection] = "close" }
        let head = HTTPResponse(status: .init(code: answer.status), headerFields: fields)
        let body = request.method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body))
        try await writer.write(response: head, body: body)
        if hasBody { channel.close(promise: nil) }
    }
}
