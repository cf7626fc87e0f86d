import Dispatch
import Foundation
import Logging
import SLACore
import SLAStore
import SLASystemd
import SLAVarlink
import SLAWire
import ServiceLifecycle
import Synchronization
import UnixSignals

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
///
/// Each long-running part is a `Service` of one `ServiceGroup` (swift-service-lifecycle), started
/// in the order of ``services(_:notifier:hangups:stall:clock:logger:)`` and stopped gracefully in
/// reverse, so that every stop (a signal, a Service that throws, a store that fails) closes the
/// same parts in the same order.
public enum Daemon {
    /// Seconds between STATUS= refreshes (only sent when something changed).
    static let statusRefresh: Duration = .seconds(2)
    /// While recovery reads the log, the start timeout is extended by this much every third of it,
    /// as long as recovery makes progress.
    static let recoveryExtension: Duration = .seconds(15)

    /// Runs until SIGTERM/SIGINT. Throws `ConfigErrors` for a bad configuration, other errors for
    /// state or socket trouble at the start, and ``StoreFailure`` when the state fails later; each
    /// after every part has stopped.
    public static func run(_ options: DaemonOptions, logger: Logger) async throws {
        // Before the store opens: a second slad on this state must not read, let alone write, it.
        let stateLock = try StateLock(directory: options.stateDirectory)
        defer { stateLock.release() }
        let group = try await serviceGroup(options, logger: logger)
        try await group.run()
    }

    /// The daemon's parts as one group, signals trapped: SIGTERM and SIGINT stop the group
    /// gracefully, and SIGHUP is held from here on, before recovery starts.
    ///
    /// - Parameters:
    ///   - notifier: the service manager's notifications; by default through `$NOTIFY_SOCKET`.
    ///   - clock: the wall clock the engine runs on.
    public static func serviceGroup(
        _ options: DaemonOptions, notifier: ServiceNotifier? = nil, clock: any WallClock = SystemClock(),
        logger: Logger
    ) async throws -> ServiceGroup {
        try await assemble(options, notifier: notifier, clock: clock, logger: logger).group
    }

    /// ``serviceGroup(_:notifier:clock:logger:)`` and its engine, for tests that look at the host.
    static func assemble(
        _ options: DaemonOptions, notifier: ServiceNotifier?, clock: any WallClock, logger: Logger
    ) async throws -> (group: ServiceGroup, engine: EngineService) {
        let notifier = NotifierReporter(try notifier ?? ServiceNotifier(), logger: logger)
        logger.info(
            "starting slad \(SladVersion.string)",
            metadata: Lifecycle.metadata(
                SladMessageID.start, ["config": options.configPath, "state": options.stateDirectory]))
        let stall = testStall()
        let hangups = await UnixSignalsSequence(trapping: stall == nil ? [.sighup] : [.sighup, .sigusr2])
        let (services, engine) = services(
            options, notifier: notifier, hangups: hangups, stall: stall, clock: clock, logger: logger)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services.map {
                    // Any part that ends, or fails, stops the others in order: none may end alone.
                    ServiceGroupConfiguration.ServiceConfiguration(
                        service: $0, successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        return (group, engine)
    }

    /// The parts in start order; they stop in reverse.
    ///
    /// Services start together; one that needs another's result waits on its ``Dependency``
    /// (`engine.host`, `socket.serving`), so each waits for what it depends on. To add a part (an
    /// HTTP listener, the notification delivery): write a `Service` whose `run()` waits on the
    /// dependency it needs (`await engine.host.valueOrStop()`, nil when slad stops first), serves
    /// until `gracefulShutdown()`, then lets go; and insert it below at its place in the order:
    /// after what it uses, before what must stop before it. A listener that takes requests goes
    /// after the engine and before `manager`, which must stay last (the first to stop: STOPPING=1
    /// before anything drains); the journal stays first (the last to stop: it writes out every line).
    static func services(
        _ options: DaemonOptions, notifier: NotifierReporter, hangups: UnixSignalsSequence,
        stall: (@Sendable (EngineHost) -> Void)?, clock: any WallClock, logger: Logger
    ) -> (services: [any Service], engine: EngineService) {
        let feed = RecordFeed()
        var services: [any Service] = []
        var journalCounts: (@Sendable () -> JournalWriter.Statistics)?
        if let journal = options.journal {
            // Before the engine: recovery delivers its late records at once.
            feed.addSink { records in journal.submit(contentsOf: records.map(RecordJournal.entry)) }
            journalCounts = { journal.statistics }
            services.append(JournalService(writer: journal, logger: logger))
        }
        let metrics = DaemonMetrics()
        let health = DaemonHealth()
        let engine = EngineService(
            options: options, feed: feed, notifier: notifier, clock: clock, observer: metrics.observer, logger: logger)
        // Before the engine: it binds while the engine recovers (/healthz says so) and stops after it.
        let http = MetricsListener(
            configPath: options.configPath, metrics: metrics, health: health, engine: engine, logger: logger)
        if let journal = options.journal {
            metrics.attach(journal: {
                let counts = journal.statistics
                return .init(written: counts.written, dropped: counts.dropped, failed: counts.failed)
            })
        }
        let reloader = Reloader(notifier: notifier, logger: logger, metrics: metrics, http: http)
        let socket = ControlSocketService(
            options: options, engine: engine, feed: feed, reloader: reloader, logger: logger,
            journalCounts: journalCounts, metrics: metrics)
        let hangup = HangupService(signals: hangups, engine: engine, reloader: reloader, logger: logger, stall: stall)
        let manager = ServiceManagerLink(socket: socket, notifier: notifier, logger: logger)
        // After the engine (it needs the store) and stopped before it: what it sends is written back first.
        let delivery = DeliveryService(engine: engine, clock: clock, logger: logger)
        services += [http, engine, delivery, socket, hangup, HealthService(health: health, socket: socket), manager]
            as [any Service]
        return (services, engine)
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
    static func testStall() -> (@Sendable (EngineHost) -> Void)? {
        #if DEBUG
        if ProcessInfo.processInfo.environment["SLAD_TEST_HOOKS"] == "1" {
            return { $0.stallForTesting() }
        }
        #endif
        return nil
    }
}

/// Reloads for SIGHUP and the Varlink Reload alike: RELOADING=1 before, READY=1 after, a catalogued
/// journal entry either way.
final class Reloader: Sendable {
    let notifier: NotifierReporter
    let logger: Logger
    let metrics: DaemonMetrics?
    let http: MetricsListener?

    init(notifier: NotifierReporter, logger: Logger, metrics: DaemonMetrics? = nil, http: MetricsListener? = nil) {
        self.notifier = notifier
        self.logger = logger
        self.metrics = metrics
        self.http = http
    }

    /// - Parameter origin: who asked, for the log: "SIGHUP" or "uid 1000".
    func reload(_ host: EngineHost, by origin: String) async -> ReloadOutcome {
        notifier.reloading()
        let outcome: ReloadOutcome
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
final class Counter: Sendable {
    private let count = Atomic<UInt64>(0)

    /// Adds one and returns the new count.
    func increment() -> UInt64 { count.add(1, ordering: .relaxed).newValue }
    var value: UInt64 { count.load(ordering: .relaxed) }
}
