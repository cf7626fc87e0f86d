import Logging
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Why the server could not start serving.
public struct VarlinkServerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// `bind` or `adopt` was called on a server that already has a socket.
        case alreadyBound
        /// `run` was called before `bind` or `adopt`, or a second time.
        case notBound
        /// Another process is serving on the path.
        case addressInUse
        /// The path could not be bound (see `detail`).
        case bindFailed
        /// The socket file's mode could not be set.
        case chmodFailed
        /// The descriptor handed to `adopt` is not a listening AF_UNIX stream socket.
        case notAListeningUnixSocket
    }

    /// What went wrong.
    public var code: Code
    /// The socket path or descriptor concerned, e.g. "/run/slad/io.slad.Sla" or "fd 3".
    public var socket: String
    /// The system's reason, with errno where there is one.
    public var detail: String

    /// Makes an error about `socket`.
    public init(_ code: Code, socket: String, detail: String = "") {
        self.code = code
        self.socket = socket
        self.detail = detail
    }

    public var description: String {
        let what: String
        switch self.code {
        case .alreadyBound: what = "the Varlink server already has a socket"
        case .notBound: what = "the Varlink server has no socket to serve (bind or adopt first, and run once)"
        case .addressInUse: what = "another process is serving on the socket"
        case .bindFailed: what = "cannot bind the socket"
        case .chmodFailed: what = "cannot set the socket's mode"
        case .notAListeningUnixSocket: what = "not a listening AF_UNIX stream socket"
        }
        return self.detail.isEmpty ? "\(self.socket): \(what)" : "\(self.socket): \(what): \(self.detail)"
    }
}

/// Linux's O_PATH and AT_EMPTY_PATH, which Glibc only declares under _GNU_SOURCE (the generic values,
/// those of x86_64 and arm64).
private let openPathOnly: Int32 = 0o10_000_000
private let atEmptyPath: Int32 = 0x1000

/// Linux's `struct ucred`, which Glibc only declares under _GNU_SOURCE and so Swift does not see:
/// three 32-bit fields in this order, laid out by Swift as C lays out the struct.
private struct KernelPeerCredentials: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// A Varlink server on a Unix stream socket: one connection a child task, calls answered in order.
///
/// ```swift
/// let server = VarlinkServer(service: sla, logger: logger)
/// try await server.bind(path: "/run/slad/io.slad.Sla")   // or adopt(listeningDescriptor: 3)
/// try await server.run()                                  // until shutdown()
/// ```
public final class VarlinkServer: Sendable {
    /// What one client may cost the server.
    public struct Limits: Sendable {
        /// The longest message accepted, in bytes without its NUL; a longer one is refused and the
        /// connection closed.
        public var maxMessageBytes: Int
        /// How long a message may take to arrive once its first byte has; a client that stalls mid-message
        /// is dropped. An idle client (between messages) is never timed out.
        public var partialMessageTimeout: Duration
        /// How many bytes of replies a client may leave unread before it is dropped (a stalled Watch reader).
        public var maxQueuedReplyBytes: Int
        /// How many bytes of replies all clients together may leave unread; past it, a client holding
        /// more than 64 KiB unread is dropped (see ``ReplyBudget``).
        public var maxQueuedReplyBytesTotal: Int
        /// Connections beyond this many are closed as soon as they are accepted.
        public var maxConnections: Int
        /// Connections one uid may hold, root and the server's own user excepted: one peer's idle
        /// connections must not lock everyone else out.
        public var maxConnectionsPerUser: Int
        /// Connections kept for root and the server's own user: others are refused once only this
        /// many are left of `maxConnections`, so an administrator can always get in.
        public var reservedConnections: Int
        /// How long a closing connection may take to take its last replies before it is cut off; bounds
        /// how long `shutdown()` waits for slow readers.
        public var closeTimeout: Duration

        /// Limits with the defaults fit for a system daemon; tests shorten the timeouts.
        public init(
            maxMessageBytes: Int = 1 << 20,
            partialMessageTimeout: Duration = .seconds(30),
            maxQueuedReplyBytes: Int = 4 << 20,
            maxQueuedReplyBytesTotal: Int = 256 << 20,
            maxConnections: Int = 4096,
            maxConnectionsPerUser: Int = 1024,
            reservedConnections: Int = 64,
            closeTimeout: Duration = .seconds(5)
        ) {
            self.maxMessageBytes = maxMessageBytes
            self.partialMessageTimeout = partialMessageTimeout
            self.maxQueuedReplyBytes = maxQueuedReplyBytes
            self.maxQueuedReplyBytesTotal = maxQueuedReplyBytesTotal
            self.maxConnections = maxConnections
            self.maxConnectionsPerUser = maxConnectionsPerUser
            self.reservedConnections = reservedConnections
            self.closeTimeout = closeTimeout
        }
    }

    private enum Listener {
        case none
        case bound(NIOAsyncChannel<AcceptedConnection, Never>)
        case running(Channel)
        case stopped
    }

    private struct State {
        var listener = Listener.none
        /// The socket file this server created, to remove when it stops: path, device and inode (so a
        /// file another process put there since is left alone).
        var socketFile: (path: String, device: UInt64, inode: UInt64)?
        var connections: [Int: VarlinkConnection] = [:]
        /// Connections open per peer uid.
        var perUser: [UInt32: Int] = [:]
        /// Accepted channels the accept loop has not yet taken, to be closed if it never does.
        var unclaimed: [ObjectIdentifier: Channel] = [:]
        /// The accept loop is over: a channel accepted from now on is closed at once.
        var acceptLoopEnded = false
        var nextConnectionID = 0
        var shuttingDown = false
    }

    private let dispatcher: VarlinkDispatcher
    private let limits: Limits
    private let logger: Logger
    private let eventLoopGroup: MultiThreadedEventLoopGroup
    private let state = Mutex(State())
    /// The reply bytes all connections may hold together.
    let replyBudget: ReplyBudget
    /// Lines about misbehaving clients, limited so they cannot flood the journal.
    let notices: NoticeLimiter
    /// Fires when `run()` has returned, for `shutdown()` to wait on.
    private let stopped = EndSignal()

    /// Makes a server for `service`; it serves nothing until `bind` or `adopt`, then `run`.
    public init(
        service: some VarlinkService,
        limits: Limits = .init(),
        logger: Logger,
        eventLoopGroup: MultiThreadedEventLoopGroup = .singleton
    ) {
        self.dispatcher = VarlinkDispatcher(service: service)
        self.limits = limits
        self.replyBudget = ReplyBudget(limit: limits.maxQueuedReplyBytesTotal)
        self.notices = NoticeLimiter()
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
    }

    /// Binds a socket at `path` with `mode`, and gives it to `group` when one is named.
    ///
    /// A socket file left at `path` by a process that is gone is removed first; if a process still
    /// answers on it, this throws `addressInUse` rather than steal its clients. The mode is set on
    /// the descriptor before the bind, so the file never has more than `mode` allows; what the umask
    /// took away, and the group, are then set through the file slad just made, checked to be a socket
    /// of slad's user, never through the path (a symlink swapped in there would send a chmod to
    /// another file). systemd socket activation (`adopt`) needs none of this.
    public func bind(path: String, mode: mode_t = 0o660, group: gid_t? = nil) async throws {
        try self.checkNotBound(socket: path)
        Self.raiseDescriptorLimit(logger: self.logger)
        if Self.someoneListens(at: path) {
            throw VarlinkServerError(.addressInUse, socket: path)
        }
        let made = try Self.listeningSocket(at: path, mode: mode, group: group, backlog: self.backlog)
        let listener: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            listener = try await self.bootstrap()
                .bind(made.descriptor, childChannelInitializer: self.childChannelInitializer)
        } catch {
            close(made.descriptor)
            unlink(path)
            throw VarlinkServerError(.bindFailed, socket: path, detail: "\(error)")
        }
        // NIO listens again with its default backlog of 128: room for every allowed client instead.
        _ = listen(made.descriptor, self.backlog)
        try await self.store(listener, socket: path) { state in
            state.socketFile = (path, made.device, made.inode)
        }
        self.logger.info("Varlink server listening", metadata: ["socket": "\(path)"])
    }

    /// Makes, binds and listens on a socket at `path` (see ``bind(path:mode:group:)``).
    private static func listeningSocket(
        at path: String, mode: mode_t, group: gid_t?, backlog: Int32
    ) throws -> (descriptor: Int32, device: UInt64, inode: UInt64) {
        func failure(_ code: VarlinkServerError.Code, _ step: String) -> VarlinkServerError {
            VarlinkServerError(code, socket: path, detail: "\(step): \(String(cString: strerror(errno)))")
        }
        guard let address = try? SocketAddress(unixDomainSocketPath: path) else {
            throw VarlinkServerError(.bindFailed, socket: path, detail: "not a usable socket path")
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure(.bindFailed, "socket") }
        var bound = false
        do {
            guard fchmod(fd, mode) == 0 else { throw failure(.chmodFailed, "fchmod") }
            // A stale socket of a server that is gone (nobody answered on it); anything else is left alone.
            var existing = stat()
            if lstat(path, &existing) == 0 {
                guard existing.st_mode & S_IFMT == S_IFSOCK else {
                    throw VarlinkServerError(.bindFailed, socket: path, detail: "a file that is not a socket is there")
                }
                unlink(path)
            }
            let result = address.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
            guard result == 0 else { throw failure(.bindFailed, "bind") }
            bound = true
            guard listen(fd, backlog) == 0 else { throw failure(.bindFailed, "listen") }
            let file = open(path, openPathOnly | O_NOFOLLOW | O_CLOEXEC)
            guard file >= 0 else { throw failure(.chmodFailed, "open") }
            defer { close(file) }
            var status = stat()
            guard fstat(file, &status) == 0 else { throw failure(.chmodFailed, "fstat") }
            guard status.st_mode & S_IFMT == S_IFSOCK, status.st_uid == geteuid() else {
                bound = false  // not the file slad made: not slad's to remove either
                throw VarlinkServerError(.chmodFailed, socket: path, detail: "the path no longer names slad's socket")
            }
            // An O_PATH descriptor takes no fchmod; its /proc link reaches the inode it holds, not a path.
            if status.st_mode & 0o7777 != mode, chmod("/proc/self/fd/\(file)", mode) != 0 {
                throw failure(.chmodFailed, "chmod")
            }
            if let group, fchownat(file, "", uid_t.max, group, atEmptyPath) != 0 {
                throw failure(.chmodFailed, "chown")
            }
            return (fd, UInt64(status.st_dev), UInt64(status.st_ino))
        } catch {
            if bound { unlink(path) }
            close(fd)
            throw error
        }
    }

    /// Serves on a listening AF_UNIX stream socket inherited from systemd (socket activation).
    ///
    /// The server owns the descriptor from here and closes it when it stops; the socket file, which
    /// systemd made, is left in place.
    public func adopt(listeningDescriptor fd: Int32) async throws {
        let name = "fd \(fd)"
        try self.checkNotBound(socket: name)
        if let problem = Self.listeningUnixSocketProblem(fd) {
            throw VarlinkServerError(.notAListeningUnixSocket, socket: name, detail: problem)
        }
        Self.raiseDescriptorLimit(logger: self.logger)
        let listener: NIOAsyncChannel<AcceptedConnection, Never>
        do {
            listener = try await self.bootstrap()
                .bind(fd, childChannelInitializer: self.childChannelInitializer)
        } catch {
            throw VarlinkServerError(.bindFailed, socket: name, detail: "\(error)")
        }
        // NIO listens again on an adopted socket with its default backlog of 128, which would cut the
        // backlog systemd set; listening once more restores a backlog fit for many clients at once.
        _ = listen(fd, self.backlog)
        try await self.store(listener, socket: name) { _ in }
        self.logger.info("Varlink server listening", metadata: ["socket": "\(name)"])
    }

    /// Connections open now (for the metrics).
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// Serves until `shutdown()`; each accepted connection runs as a child task.
    ///
    /// Cancelling the task that runs this cancels every connection's task and throws
    /// `CancellationError`: the hard stop, where `shutdown()` is the graceful one. After a `shutdown()`
    /// that came first, returns at once.
    public func run() async throws {
        let listener = try self.state.withLock { state -> NIOAsyncChannel<AcceptedConnection, Never>? in
            switch state.listener {
            case .bound(let listener):
                state.listener = .running(listener.channel)
                return listener
            case .stopped where state.shuttingDown:
                return nil
            case .none, .running, .stopped:
                throw VarlinkServerError(.notBound, socket: "")
            }
        }
        guard let listener else { return }
        defer {
            self.state.withLock { $0.listener = .stopped }
            self.removeSocketFile()
            self.stopped.fire()
        }
        try await withThrowingDiscardingTaskGroup { group in
            defer { self.closeUnclaimed() }
            try await listener.executeThenClose { accepted in
                for try await connection in accepted {
                    guard let registered = self.register(connection) else { continue }
                    group.addTask {
                        await registered.run(dispatcher: self.dispatcher)
                        self.unregister(registered)
                    }
                }
            }
        }
    }

    /// Stops accepting, lets calls in progress finish and their replies go out, then closes every
    /// connection; returns when `run()` has returned.
    ///
    /// Streaming calls are ended through `clientGone()`. A client that does not read its last replies
    /// is cut off after `Limits.closeTimeout`.
    public func shutdown() async {
        switch self.beginShutdown() {
        case .bound(let listener):
            // Bound but never run: clients may have been accepted already, and each must be closed.
            try? await listener.executeThenClose { accepted in
                listener.channel.close(promise: nil)
                for try await _ in accepted {}
            }
            self.closeUnclaimed()
            self.removeSocketFile()
        case .running:
            await self.stopped.wait()
        case .none, .stopped:
            break
        }
    }

    /// Starts the shutdown without waiting for it; returns the listener as it was.
    private func beginShutdown() -> Listener {
        let (listener, connections) = self.state.withLock { state -> (Listener, [VarlinkConnection]) in
            let listener = state.listener
            if !state.shuttingDown, case .bound = listener { state.listener = .stopped }
            state.shuttingDown = true
            return (listener, Array(state.connections.values))
        }
        self.logger.info("Varlink server shutting down", metadata: ["connections": "\(connections.count)"])
        for connection in connections {
            connection.beginShutdown()
        }
        if case .running(let channel) = listener {
            channel.close(promise: nil)
        }
        return listener
    }

    // MARK: - Connections

    private func bootstrap() -> ServerBootstrap {
        ServerBootstrap(group: self.eventLoopGroup)
            // A connection starts reading once its task runs (see VarlinkConnection.run).
            .childChannelOption(ChannelOptions.autoRead, value: false)
    }

    /// Room for every allowed client to be connecting at once; the kernel caps it at net.core.somaxconn.
    private var backlog: Int32 { Int32(clamping: self.limits.maxConnections) }

    /// Sets up an accepted channel: its peer's credentials, then the framing handlers.
    private var childChannelInitializer: @Sendable (Channel) -> EventLoopFuture<AcceptedConnection> {
        let limits = self.limits
        let dispatcher = self.dispatcher
        return { channel in
            guard let provider = channel as? SocketOptionProvider else {
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
            }
            let peerCredentials: EventLoopFuture<KernelPeerCredentials> = provider.unsafeGetSocketOption(
                level: .socket,
                name: NIOBSDSocket.Option(rawValue: SO_PEERCRED)
            )
            let peerGroups = Self.peerGroups(provider)
            return peerCredentials.and(peerGroups).flatMapThrowing { credentials, groups in
                try channel.pipeline.syncOperations.addHandler(
                    PartialMessageTimeoutHandler(timeout: TimeAmount(limits.partialMessageTimeout))
                )
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(VarlinkFrameDecoder(maxMessageBytes: limits.maxMessageBytes))
                )
                let peer = PeerCredentials(
                    pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, groups: groups)
                let direct = DirectCallState()
                try channel.pipeline.syncOperations.addHandler(
                    VarlinkDirectCallHandler(dispatcher: dispatcher, peer: peer, shared: direct)
                )
                let key = ObjectIdentifier(channel)
                let kept = self.state.withLock { state -> Bool in
                    if state.acceptLoopEnded { return false }
                    state.unclaimed[key] = channel
                    return true
                }
                guard kept else {
                    // Accepted as the listener closed: nobody will take it, and it must not stay open.
                    throw ChannelError.ioOnClosedChannel
                }
                channel.closeFuture.whenComplete { _ in
                    self.state.withLock { _ = $0.unclaimed.removeValue(forKey: key) }
                }
                return AcceptedConnection(channel: channel, peer: peer, direct: direct)
            }.flatMapErrorThrowing { error in
                // A failed initializer is not reported to the accept loop; the channel must be closed here.
                channel.close(promise: nil)
                throw error
            }
        }
    }

    /// The peer's supplementary groups (SO_PEERGROUPS): its own, not the user database's, so a
    /// process that dropped its groups gets no role from them.
    ///
    /// NIO's option reader has a fixed size and hides the length the kernel wrote, but the kernel
    /// writes the list sorted and NIO zeroes the buffer first: the list ends where it stops rising.
    /// A peer in more groups than the buffer holds gets none (ERANGE); a kernel without the option
    /// gives nil, and the user database decides.
    private static func peerGroups(_ provider: SocketOptionProvider) -> EventLoopFuture<[UInt32]?> {
        let read: EventLoopFuture<InlineArray<1024, UInt32>> = provider.unsafeGetSocketOption(
            level: .socket, name: NIOBSDSocket.Option(rawValue: SO_PEERGROUPS))
        return read.map { buffer -> [UInt32]? in
            var groups: [UInt32] = []
            for index in buffer.indices {
                let gid = buffer[index]
                if index > 0, gid == 0 || gid < groups[groups.count - 1] { break }
                groups.append(gid)
            }
            // A lone 0 is as likely the zeroed buffer as group 0: take it as no group (less access).
            return groups == [0] ? [] : groups
        }.flatMapErrorThrowing { error in
            if let error = error as? IOError, error.errnoCode == ERANGE { return [] }
            return nil
        }
    }

    /// Takes an accepted channel from the unclaimed ones and makes it a connection, unless the server
    /// is shutting down or full (the channel is then closed).
    private func register(_ accepted: AcceptedConnection) -> VarlinkConnection? {
        let outcome = self.state.withLock { state -> Result<VarlinkConnection, Refusal> in
            guard state.unclaimed.removeValue(forKey: ObjectIdentifier(accepted.channel)) != nil else {
                return .failure(.alreadyClosed)
            }
            if state.shuttingDown { return .failure(.shuttingDown) }
            if state.connections.count >= self.limits.maxConnections { return .failure(.full) }
            let uid = accepted.peer.uid
            let privileged = uid == 0 || uid == geteuid()
            if !privileged {
                if state.connections.count >= self.limits.maxConnections - self.limits.reservedConnections {
                    return .failure(.full)
                }
                if state.perUser[uid, default: 0] >= self.limits.maxConnectionsPerUser {
                    return .failure(.userFull(uid: uid))
                }
            }
            state.nextConnectionID += 1
            let connection = VarlinkConnection(
                id: state.nextConnectionID,
                accepted: accepted,
                limits: self.limits,
                budget: self.replyBudget,
                notices: self.notices,
                logger: self.logger
            )
            state.connections[connection.id] = connection
            state.perUser[uid, default: 0] += 1
            return .success(connection)
        }
        switch outcome {
        case .success(let connection):
            return connection
        case .failure(.alreadyClosed):
            return nil
        case .failure(let refusal):
            self.notices.log(
                self.logger, .warning, "Varlink client refused",
                metadata: ["reason": "\(refusal)", "varlink.peer.pid": "\(accepted.peer.pid)"]
            )
            accepted.channel.close(promise: nil)
            return nil
        }
    }

    private enum Refusal: Error, CustomStringConvertible {
        case alreadyClosed, shuttingDown, full
        case userFull(uid: UInt32)

        var description: String {
            switch self {
            case .alreadyClosed: "closed before it was served"
            case .shuttingDown: "shutting down"
            case .full: "too many connections"
            case .userFull(let uid): "too many connections from uid \(uid)"
            }
        }
    }

    /// Ends the accept loop's watch: closes accepted channels no connection took (those the listener
    /// dropped when it closed) and any accepted later.
    private func closeUnclaimed() {
        let channels = self.state.withLock { state in
            state.acceptLoopEnded = true
            defer { state.unclaimed = [:] }
            return Array(state.unclaimed.values)
        }
        for channel in channels {
            channel.close(promise: nil)
        }
    }

    private func unregister(_ connection: VarlinkConnection) {
        self.state.withLock { state in
            guard state.connections.removeValue(forKey: connection.id) != nil else { return }
            let uid = connection.peer.uid
            let left = state.perUser[uid, default: 1] - 1
            state.perUser[uid] = left > 0 ? left : nil
        }
    }

    // MARK: - Sockets

    private func checkNotBound(socket: String) throws {
        try self.state.withLock { state in
            guard case .none = state.listener else { throw VarlinkServerError(.alreadyBound, socket: socket) }
        }
    }

    private func store(
        _ listener: NIOAsyncChannel<AcceptedConnection, Never>,
        socket: String,
        _ update: (inout State) -> Void
    ) async throws {
        let stored = self.state.withLock { state -> Bool in
            guard case .none = state.listener else { return false }
            state.listener = .bound(listener)
            update(&state)
            return true
        }
        if !stored {
            // Two binds raced; the loser gives its socket back.
            try? await listener.channel.close()
            self.closeUnclaimed()
            throw VarlinkServerError(.alreadyBound, socket: socket)
        }
    }

    private func removeSocketFile() {
        guard
            let file = self.state.withLock({ state in
                defer { state.socketFile = nil }
                return state.socketFile
            })
        else { return }
        var status = stat()
        if lstat(file.path, &status) == 0, UInt64(status.st_dev) == file.device, UInt64(status.st_ino) == file.inode {
            unlink(file.path)
        }
    }

    /// Whether a process accepts connections on the socket at `path` (a live server, not a stale file).
    private static func someoneListens(at path: String) -> Bool {
        guard let address = try? SocketAddress(unixDomainSocketPath: path) else { return false }
        // Non-blocking, so a live server with a full backlog answers EAGAIN instead of holding us up.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let result = address.withSockAddr { pointer, length in connect(fd, pointer, socklen_t(length)) }
        // EAGAIN: the socket is live but its backlog is full.
        return result == 0 || errno == EAGAIN
    }

    /// Why `fd` is not a listening AF_UNIX stream socket, or nil if it is one.
    private static func listeningUnixSocketProblem(_ fd: Int32) -> String? {
        func option(_ name: Int32) -> Int32? {
            var value: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            return getsockopt(fd, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
        }
        guard let domain = option(SO_DOMAIN) else { return String(cString: strerror(errno)) }
        guard domain == AF_UNIX else { return "address family \(domain), not AF_UNIX" }
        guard option(SO_TYPE) == Int32(SOCK_STREAM.rawValue) else { return "not a stream socket" }
        guard option(SO_ACCEPTCONN) == 1 else { return "not listening" }
        return nil
    }

    /// Raises the soft limit on open files to the hard limit: every client is a descriptor, and the
    /// usual soft limit of 1024 would turn clients away long before `maxConnections`.
    private static func raiseDescriptorLimit(logger: Logger) {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        guard limit.rlim_cur < limit.rlim_max else { return }
        let previous = limit.rlim_cur
        limit.rlim_cur = limit.rlim_max
        if setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) != 0 {
            logger.warning(
                "Cannot raise the open-file limit",
                metadata: ["soft": "\(previous)", "hard": "\(limit.rlim_max)", "errno": "\(errno)"]
            )
        }
    }
}
