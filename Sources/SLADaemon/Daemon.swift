import Dispatch
import Foundation
import Logging
import SLACore
import SLAHTTP
import SLASystemd
import SLAVarlink
import SLAWire

/// How `slad` runs: where its configuration, state and socket are, and who may use the socket.
public struct DaemonOptions: Sendable {
    public var configPath: String
    public var stateDirectory: String
    public var socketPath: String
    /// Groups whose members may submit events and reload (besides root and slad's own user).
    public var writerGroups: [String]
    /// Groups whose members may query and watch.
    public var readerGroups: [String]
    /// Group the socket file is given when slad binds it itself (systemd's SocketGroup= otherwise).
    public var socketGroup: String?
    /// Where timeline records go as structured entries; nil when slad logs to stderr.
    public var journal: JournalWriter?

    public init(
        configPath: String, stateDirectory: String, socketPath: String, writerGroups: [String],
        readerGroups: [String], socketGroup: String?, journal: JournalWriter? = nil
    ) {
        self.configPath = configPath
        self.stateDirectory = stateDirectory
        self.socketPath = socketPath
        self.writerGroups = writerGroups
        self.readerGroups = readerGroups
        self.socketGroup = socketGroup
        self.journal = journal
    }
}

/// The running daemon: recovers, arms the timer, serves the control socket, reloads on SIGHUP and
/// stops cleanly on SIGTERM or SIGINT, telling the service manager each step (sd_notify(3)).
public enum Daemon {
    /// Seconds between STATUS= refreshes (only sent when something changed).
    static let statusRefresh: Duration = .seconds(2)
    /// While recovery reads the log, the start timeout is extended by this much every third of it,
    /// as long as recovery makes progress.
    static let recoveryExtension: Duration = .seconds(15)

    /// Runs until SIGTERM/SIGINT. Throws `ConfigErrors` for a bad configuration, other errors for
    /// state or socket trouble, before anything is served.
    public static func run(_ options: DaemonOptions, logger: Logger) async throws {
        let notifier = NotifierReporter(try ServiceNotifier(), logger: logger)
        logger.info(
            "starting slad \(SladVersion.string)",
            metadata: Lifecycle.metadata(
                SladMessageID.start, ["config": options.configPath, "state": options.stateDirectory]))
        let feed = RecordFeed()
        if let journal = options.journal {
            // Before the host: recovery delivers its late records at once.
            feed.addSink { records in journal.submit(contentsOf: records.map(RecordJournal.entry)) }
        }
        let progress = RecoveryProgress()
        let health = DaemonHealth(progress: progress)
        let metrics = DaemonMetrics()
        // Before recovery, so that /healthz says "recovering" while the log is applied.
        let http = await MetricsListener.start(
            configPath: options.configPath, metrics: metrics, health: health, logger: logger)
        let extender = notifier.extendWhileProgressing(progress, by: recoveryExtension)
        let host: EngineHost
        do {
            defer { extender?.cancel() }
            host = try EngineHost(
                configPath: options.configPath, stateDirectory: options.stateDirectory, feed: feed,
                progress: progress, observer: metrics.observer, logger: logger)
        } catch {
            http.shutdown()
            throw error
        }
        metrics.attach(host: host)
        metrics.noteLoaded(configPath: options.configPath)
        let writers = AccessPolicy.groupIDs(options.writerGroups)
        let readers = AccessPolicy.groupIDs(options.readerGroups)
        for missing in writers.missing + readers.missing {
            logger.notice("group \(missing) does not exist; its members get no access")
        }
        let access = AccessPolicy(writerGroups: writers.ids, readerGroups: readers.ids)
        let reloader = Reloader(host: host, notifier: notifier, logger: logger, metrics: metrics, http: http)
        var journalCounts: (@Sendable () -> JournalWriter.Statistics)?
        if let journal = options.journal {
            journalCounts = { journal.statistics }
            metrics.attach(journal: {
                let counts = journal.statistics
                return .init(written: counts.written, dropped: counts.dropped, failed: counts.failed)
            })
        }
        let service = ControlService(
            host: host, feed: feed, access: access, logger: logger, reload: { await reloader.reload(by: $0) },
            journalCounts: journalCounts)
        let server = VarlinkServer(service: service, logger: logger)
        metrics.attach(varlinkConnections: { server.connectionCount })
        if let fd = try ListenDescriptors.varlink() {
            try await server.adopt(listeningDescriptor: fd)
            logger.info("serving on the socket systemd passed (fd \(fd))")
        } else {
            let directory = (options.socketPath as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            try await server.bind(path: options.socketPath, mode: 0o660)
            if let name = options.socketGroup {
                guard let gid = AccessPolicy.groupIDs([name]).ids.first, chown(options.socketPath, uid_t.max, gid) == 0
                else {
                    throw RecoveryError(description: "cannot give \(options.socketPath) to group \(name)")
                }
            }
            logger.info("serving on \(options.socketPath)")
        }
        host.start(watchdog: notifier.watchdog)
        let signals = SignalHandlers(
            reload: { Task { _ = await reloader.reload(by: "SIGHUP") } },
            stop: { Task { await server.shutdown() } },
            stall: testStall(host))
        let status = await host.status()
        logger.notice(
            "ready: \(status.openTickets) open tickets, \(status.armedTimers) armed",
            metadata: Lifecycle.metadata(SladMessageID.ready, ["SLAD_OPEN": "\(status.openTickets)"]))
        // Recovered, timers armed, socket listening (clients queue in its backlog until run() accepts).
        notifier.ready(status: statusLine(status))
        health.ready()
        let refresher = Task {
            var seen: UInt64?
            while !Task.isCancelled {
                if let (status, changes) = await host.status(ifChangedSince: seen) {
                    seen = changes
                    notifier.status(statusLine(status))
                }
                try? await Task.sleep(for: statusRefresh)
            }
        }
        try await server.run()
        refresher.cancel()
        signals.cancel()
        health.stopping()
        notifier.stopping()
        logger.notice(
            "stopping: committing what was accepted", metadata: Lifecycle.metadata(SladMessageID.shutdown))
        host.stop()
        http.shutdown()
        logger.notice("stopped")
        if let journal = options.journal {
            let counts = journal.statistics
            let last = counts.lastError.map { " (last: \($0))" } ?? ""
            logger.info(
                "journal: \(counts.written) entries written, \(counts.dropped) dropped (backlog full), \(counts.failed) refused\(last)")
            // A journald that hangs must not hold the exit: what it has not taken by then is lost.
            journal.flush(timeout: 2)
        }
    }

    /// The one-line STATUS=: "412 open, 3 breached, next due 14:05:00Z".
    public static func statusLine(_ status: HostStatus) -> String {
        var line = "\(status.openTickets) open, \(status.breaches) breached"
        if let next = status.nextDue {
            let text = Timestamp.format(next)
            // Today's deadline shows its time only; later ones the whole instant.
            let today = Timestamp.format(Instant(secondsSince1970: Int64(Date().timeIntervalSince1970)))
            line += ", next due " + (text.prefix(10) == today.prefix(10) ? String(text.dropFirst(11)) : text)
        } else {
            line += ", nothing due"
        }
        return line
    }

    /// SIGUSR2 stalls the engine's queue, for the watchdog test: only in debug builds, and only when
    /// `SLAD_TEST_HOOKS=1` is in slad's environment, so neither a release build nor a production
    /// unit (whose environment the administrator writes) can be made to stall; sending the signal
    /// needs root or slad's own user anyway.
    private static func testStall(_ host: EngineHost) -> (@Sendable () -> Void)? {
        #if DEBUG
        if ProcessInfo.processInfo.environment["SLAD_TEST_HOOKS"] == "1" {
            return { host.stallForTesting() }
        }
        #endif
        return nil
    }
}

/// Reloads for SIGHUP and the Varlink Reload alike: RELOADING=1 before, READY=1 after, a catalogued
/// journal entry either way.
final class Reloader: Sendable {
    let host: EngineHost
    let notifier: NotifierReporter
    let logger: Logger
    let metrics: DaemonMetrics?
    let http: MetricsListener?

    init(
        host: EngineHost, notifier: NotifierReporter, logger: Logger, metrics: DaemonMetrics? = nil,
        http: MetricsListener? = nil
    ) {
        self.host = host
        self.notifier = notifier
        self.logger = logger
        self.metrics = metrics
        self.http = http
    }

    /// - Parameter origin: who asked, for the log: "SIGHUP" or "uid 1000".
    func reload(by origin: String) async -> ReloadOutcome {
        notifier.reloading()
        var outcome: ReloadOutcome
        // The listener's new addresses are bound first: one that cannot be refuses the reload whole.
        let rebind = await http?.prepareReload(configPath: host.configPath)
        if let rebind, !rebind.errors.isEmpty {
            outcome = .refused(rebind.errors)
        } else {
            outcome = await host.reload()
            if case .refused = outcome { await rebind?.revert() }
        }
        metrics?.noteReload(outcome, configPath: host.configPath)
        switch outcome {
        case .applied(let summary):
            logger.notice(
                "configuration reloaded (\(origin)): \(summary)",
                metadata: Lifecycle.metadata(SladMessageID.reloadApplied, ["SLAD_CONFIG": host.configPath]))
        case .unchanged(let summary):
            logger.info("reload (\(origin)): configuration unchanged: \(summary)")
        case .refused(let errors):
            logger.warning(
                "reload (\(origin)) refused; the running configuration stays:\n\(errors.joined(separator: "\n"))",
                metadata: Lifecycle.metadata(
                    SladMessageID.reloadRefused,
                    ["SLAD_CONFIG": host.configPath, "SLAD_ERRORS": errors.joined(separator: "\n")]))
        }
        notifier.ready(status: Daemon.statusLine(await host.status()))
        return outcome
    }
}

/// The ``ServiceNotifier`` for the daemon: a failed notification is logged once and then only
/// counted, never thrown at the clocks (a manager that went away cannot be helped by stopping).
final class NotifierReporter: Sendable {
    let notifier: ServiceNotifier
    let logger: Logger
    private let failures = Counter()

    init(_ notifier: ServiceNotifier, logger: Logger) {
        self.notifier = notifier
        self.logger = logger
        if let interval = notifier.watchdogInterval {
            logger.info("watchdog: pinging every \(interval / 2) from the timer loop")
        }
    }

    /// The engine's watchdog: pings at half the interval systemd set.
    var watchdog: EngineWatchdog? {
        notifier.watchdogInterval.map { interval in
            EngineWatchdog(pingInterval: interval / 2) { [self] in self.send { try $0.watchdogPing() } }
        }
    }

    func ready(status: String) { send { try $0.ready(status: status) } }
    func status(_ line: String) { send { try $0.status(line) } }
    func reloading() { send { try $0.reloading() } }
    func stopping() { send { try $0.stopping() } }

    /// Every third of `step`, asks for `step` more while `progress` moves; nil when no
    /// manager listens.
    func extendWhileProgressing(_ progress: RecoveryProgress, by step: Duration) -> DispatchSourceTimer? {
        guard notifier.isActive else { return nil }
        let timer = DispatchSource.makeTimerSource(queue: .global())
        let period = step / 3
        nonisolated(unsafe) var seen: UInt64 = 0
        timer.setEventHandler { [self] in
            let now = progress.count
            guard now != seen else { return }  // stuck: let the start timeout end it
            seen = now
            send { try $0.extendTimeout(by: step) }
        }
        let nanoseconds = Int(period.components.seconds) * 1_000_000_000
        timer.schedule(deadline: .now() + .nanoseconds(nanoseconds), repeating: .nanoseconds(nanoseconds))
        timer.activate()
        return timer
    }

    private func send(_ body: (ServiceNotifier) throws -> Void) {
        do {
            try body(notifier)
        } catch {
            if failures.increment() == 1 {
                logger.warning("cannot notify the service manager: \(error); further failures are only counted")
            }
        }
    }

    /// Notifications the manager did not take.
    var failureCount: UInt64 { failures.value }
}

/// A counter shared between threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count: UInt64 = 0

    /// Adds one and returns the new count.
    func increment() -> UInt64 { lock.withLock { count += 1; return count } }
    var value: UInt64 { lock.withLock { count } }
}

/// SIGHUP reloads; SIGTERM and SIGINT stop. Dispatch sources, so the handlers run as ordinary code.
///
/// `@unchecked Sendable`: the sources are set once in `init` and only cancelled afterwards, which
/// Dispatch allows from any thread.
final class SignalHandlers: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]

    init(
        reload: @escaping @Sendable () -> Void, stop: @escaping @Sendable () -> Void,
        stall: (@Sendable () -> Void)? = nil
    ) {
        var sources: [DispatchSourceSignal] = []
        var actions = [(SIGHUP, reload), (SIGTERM, stop), (SIGINT, stop)]
        if let stall { actions.append((SIGUSR2, stall)) }
        for (number, action) in actions {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler(handler: action)
            source.activate()
            sources.append(source)
        }
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
