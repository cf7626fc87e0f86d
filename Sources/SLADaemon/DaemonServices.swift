import Foundation
import Logging
import SLASocketTrust
import SLAStore
import SLASystemd
import SLAVarlink
import ServiceLifecycle
import UnixSignals

/// The journal writer as a Service: it runs from the first line slad logs to the last, so it is the
/// first Service of the group and the last to stop; stopping writes out what is queued (at most
/// two seconds: a journald that hangs must not hold the exit) and closes the writer.
struct JournalService: Service, CustomStringConvertible {
    let writer: JournalWriter
    let logger: Logger

    var description: String { "journal" }

    func run() async throws {
        try? await gracefulShutdown()
        let counts = writer.statistics
        let last = counts.lastError.map { " (last: \($0))" } ?? ""
        logger.info(
            """
            journal: \(counts.written) entries written, \(counts.dropped) dropped (backlog full), \
            \(counts.failed) refused\(last)
            """)
        writer.flush(timeout: 2)
        writer.close()
    }
}

/// Thrown by ``EngineService`` when the store failed: slad stops, and a restart recovers from what
/// is durable. The journal has the line that explains it.
public struct StoreFailure: Error, CustomStringConvertible {
    public var error: StoreError
    public var description: String { "cannot commit to the state: \(error)" }
}

/// The engine host as a Service: recovers (off the cooperative pool: recovery blocks for as long as
/// the log takes), arms the timer and hands the host to the Services that need it; on a stop, or
/// when the store fails, stops the timer, commits what was accepted, waits for the maintenance
/// pass and closes the store, whatever else failed.
final class EngineService: Service, CustomStringConvertible {
    /// The recovered, running host.
    let host = Dependency<EngineHost>()
    private let options: DaemonOptions
    private let feed: RecordFeed
    private let notifier: NotifierReporter
    private let clock: any WallClock
    private let observer: HostObserver?
    private let logger: Logger
    /// How the run ends: nil for a stop request, else the store's failure. Set once.
    private let ended = Dependency<StoreError?>()

    var description: String { "engine" }

    init(
        options: DaemonOptions, feed: RecordFeed, notifier: NotifierReporter, clock: any WallClock,
        observer: HostObserver? = nil, logger: Logger
    ) {
        self.options = options
        self.feed = feed
        self.notifier = notifier
        self.clock = clock
        self.observer = observer
        self.logger = logger
    }

    func run() async throws {
        let host: EngineHost
        do {
            host = try await recover()
        } catch {
            self.host.resolve(.failure(error))
            // A stop request during recovery is a stop, not a failure.
            if error is RecoveryAbandoned { return }
            throw error
        }
        host.start(watchdog: notifier.watchdog)
        self.host.resolve(.success(host))
        // nil for a stop request (graceful or a cancellation), else the store's failure.
        let failure = try? await withTaskCancellationOrGracefulShutdownHandler {
            try await ended.value()
        } onCancelOrGracefulShutdown: { [ended] in
            ended.resolve(.success(nil))
        }
        host.stop()
        logger.notice("stopped")
        if let failure { throw StoreFailure(error: failure) }
    }

    /// The host, recovered on a thread of its own while the service manager is told that recovery
    /// makes progress; a stop request abandons it.
    private func recover() async throws -> EngineHost {
        let progress = RecoveryProgress()
        let extender = notifier.extendWhileProgressing(progress, by: Daemon.recoveryExtension)
        defer { extender?.cancel() }
        let (options, feed, clock, logger, ended, observer) = (options, feed, clock, logger, ended, observer)
        return try await withTaskCancellationOrGracefulShutdownHandler {
            try await withCheckedThrowingContinuation { continuation in
                let thread = Thread {
                    continuation.resume(
                        with: Result {
                            try EngineHost(
                                configPath: options.configPath, stateDirectory: options.stateDirectory, clock: clock,
                                feed: feed, progress: progress, observer: observer, logger: logger,
                                storeFailed: { ended.resolve(.success($0)) })
                        })
                }
                thread.name = "slad.recovery"
                thread.start()
            }
        } onCancelOrGracefulShutdown: {
            progress.abandon()
        }
    }
}

/// The control socket as a Service: binds it (or takes systemd's) once the engine runs, tells
/// `serving` so, and serves until the stop, which lets calls in progress finish.
final class ControlSocketService: Service, CustomStringConvertible {
    /// Set once the socket is bound and the engine runs: the daemon can serve.
    let serving = Dependency<EngineHost>()
    private let options: DaemonOptions
    private let engine: EngineService
    private let feed: RecordFeed
    private let reloader: Reloader
    private let logger: Logger
    private let journalCounts: (@Sendable () -> JournalWriter.Statistics)?
    private let metrics: DaemonMetrics?

    var description: String { "control socket" }

    init(
        options: DaemonOptions, engine: EngineService, feed: RecordFeed, reloader: Reloader, logger: Logger,
        journalCounts: (@Sendable () -> JournalWriter.Statistics)?, metrics: DaemonMetrics? = nil
    ) {
        self.metrics = metrics
        self.options = options
        self.engine = engine
        self.feed = feed
        self.reloader = reloader
        self.logger = logger
        self.journalCounts = journalCounts
    }

    func run() async throws {
        guard let host = await engine.host.valueOrStop() else {
            serving.resolve(.failure(CancellationError()))
            return
        }
        let writers = AccessPolicy.groupIDs(options.writerGroups)
        let readers = AccessPolicy.groupIDs(options.readerGroups)
        for missing in writers.missing + readers.missing {
            logger.notice("group \(missing) does not exist; its members get no access")
        }
        let access = AccessPolicy(writerGroups: writers.ids, readerGroups: readers.ids)
        let service = ControlService(
            host: host, feed: feed, access: access, logger: logger,
            reload: { [reloader] in await reloader.reload(host, by: $0) }, journalCounts: journalCounts)
        let server = VarlinkServer(service: service, logger: logger)
        metrics?.attach(varlinkConnections: { server.connectionCount })
        do {
            try await listen(server)
        } catch {
            serving.resolve(.failure(error))
            throw error
        }
        serving.resolve(.success(host))
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            Task { await server.shutdown() }
        }
    }

    private func listen(_ server: VarlinkServer) async throws {
        if let fd = try ListenDescriptors.varlink() {
            try await server.adopt(listeningDescriptor: fd)
            logger.info("serving on the socket systemd passed (fd \(fd))")
            return
        }
        let directory = (options.socketPath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        if let reason = SocketDirectory.distrust(of: options.socketPath, side: .server(uid: geteuid())) {
            throw RecoveryError(description: "not serving on \(options.socketPath): " + reason)
        }
        var group: gid_t?
        if let name = options.socketGroup {
            guard let gid = AccessPolicy.groupIDs([name]).ids.first else {
                throw RecoveryError(description: "cannot give \(options.socketPath) to group \(name): no such group")
            }
            group = gid
        }
        try await server.bind(path: options.socketPath, mode: 0o660, group: group)
        logger.info("serving on \(options.socketPath)")
    }
}

/// The service manager's view of slad as a Service: READY=1 once the socket serves, the STATUS=
/// line refreshed while slad runs, and STOPPING=1 first thing on a stop. The last Service of the
/// group, so the first to stop: the manager hears STOPPING=1 before connections drain.
struct ServiceManagerLink: Service, CustomStringConvertible {
    let socket: ControlSocketService
    let notifier: NotifierReporter
    let logger: Logger
    /// Time between STATUS= refreshes (sent only when something changed).
    var refresh: Duration = Daemon.statusRefresh

    var description: String { "service manager" }

    func run() async throws {
        if let host = await socket.serving.valueOrStop() {
            let status = await host.status()
            logger.notice(
                "ready: \(status.openTickets) open tickets, \(status.armedTimers) armed",
                metadata: Lifecycle.metadata(SladMessageID.ready, ["SLAD_OPEN": "\(status.openTickets)"]))
            notifier.ready(status: Daemon.statusLine(status))
            var seen: UInt64?
            while true {
                if let (status, changes) = await host.status(ifChangedSince: seen) {
                    seen = changes
                    notifier.status(Daemon.statusLine(status))
                }
                do {
                    try await cancelWhenGracefulShutdown { [refresh] in try await Task.sleep(for: refresh) }
                } catch {
                    break
                }
            }
        }
        notifier.stopping()
        logger.notice(
            "stopping: committing what was accepted", metadata: Lifecycle.metadata(SladMessageID.shutdown))
    }
}

/// SIGHUP as a Service: reloads the configuration. The signals are trapped before the group starts,
/// so that a SIGHUP during a long recovery is held (and acted on once the engine runs) instead of
/// killing slad; SIGUSR2 stalls the engine when the test hook is on.
struct HangupService: Service, CustomStringConvertible {
    let signals: UnixSignalsSequence
    let engine: EngineService
    let reloader: Reloader
    let logger: Logger
    /// SIGUSR2's test hook (see ``Daemon/testStall``); nil when SIGUSR2 is not trapped.
    let stall: (@Sendable (EngineHost) -> Void)?

    var description: String { "SIGHUP" }

    func run() async throws {
        guard let host = await engine.host.valueOrStop() else { return }
        for await signal in signals.cancelOnGracefulShutdown() {
            if signal == .sigusr2 {
                stall?(host)
            } else {
                _ = await reloader.reload(host, by: "SIGHUP")
            }
        }
    }
}
