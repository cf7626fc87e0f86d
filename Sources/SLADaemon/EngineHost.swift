import Dispatch
import Foundation
import Logging
import SLAConfig
import SLACore
import SLAStore
import SLAWire

/// What became of a batch of events sent to the daemon.
public enum SubmitOutcome: Sendable, Equatable {
    /// Applied and committed: durable before this is returned.
    case accepted(Int)
    /// The engine refused event `index`; nothing of the batch was applied.
    case refused(index: Int, error: EngineError)
    /// Event `index` cannot be taken as it stands (its instant lies ahead of slad's clock).
    case invalid(index: Int, message: String)
}

/// What became of a reload.
public enum ReloadOutcome: Sendable, Equatable {
    /// The new configuration runs the clocks from now on.
    case applied(summary: String)
    /// The file has not changed since it was loaded.
    case unchanged(summary: String)
    /// Nothing changed: each problem as `file:line:column: sentence`, or a sentence.
    case refused([String])
}

/// The daemon's health at one instant, for `Status` and the service manager.
public struct HostStatus: Sendable, Equatable {
    public var configPath: String
    public var configLoaded: Instant
    public var started: Instant
    public var openTickets: Int
    public var armedTimers: Int
    public var breaches: Int
    public var nextDue: Instant?
    /// How long after their due instant the timer's recent records were emitted, in seconds.
    public var timerLateness: TimerLateness.Summary?
}

/// The last few thousand timer-fired records' lateness (emission minus due instant): what an
/// operator asks of a timer, and what the benchmark reads.
public struct TimerLateness: Sendable {
    public struct Summary: Sendable, Equatable {
        public var samples: Int
        public var p50: Double
        public var p99: Double
        public var max: Double
    }

    private var samples: [Double] = []
    private var next = 0
    static let capacity = 10_000

    mutating func add(_ seconds: Double) {
        if samples.count < Self.capacity {
            samples.append(seconds)
        } else {
            samples[next] = seconds
            next = (next + 1) % Self.capacity
        }
    }

    var summary: Summary? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        func at(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))] }
        return Summary(samples: sorted.count, p50: at(0.5), p99: at(0.99), max: sorted[sorted.count - 1])
    }
}

/// A ticket as `GetTicket` shows it: the engine's snapshot and, per clock, its calendar's hours.
public struct TicketView: Sendable, Equatable {
    public var snapshot: TicketSnapshot
    public var calendarHours: [String]
}

/// How far recovery has read the log: the service manager is asked for more time only while this moves.
public final class RecoveryProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: UInt64 = 0

    public init() {}

    /// Log entries applied so far.
    public var count: UInt64 { lock.withLock { entries } }

    func advance() { lock.withLock { entries += 1 } }
}

/// The service manager's watchdog, pinged from the engine's timer loop.
public struct EngineWatchdog: Sendable {
    /// Time between pings: half of `WatchdogSec=`.
    public var pingInterval: Duration
    public var ping: @Sendable () -> Void

    public init(pingInterval: Duration, ping: @escaping @Sendable () -> Void) {
        self.pingInterval = pingInterval
        self.ping = ping
    }
}

/// Why the daemon cannot start on its state.
public struct RecoveryError: Error, CustomStringConvertible {
    public var description: String
}

/// The SLA engine at work: one serial queue owns the ``SLAMachine``, one Dispatch timer wakes it for
/// the earliest deadline, and every step the engine takes is committed to the store before anyone is
/// told of it.
///
/// The store holds an event log (events and configuration changes, each at the instant the engine
/// applied it) and the timeline records. Recovery applies the log again: the engine is deterministic,
/// so it arrives at the same state, and deadlines up to the last committed firing are fired again
/// silently (their records are stored already); what fell due after that fires once, marked late.
///
/// Instants: an event is applied at the latest `at` of its batch (now, when left out), but never
/// before a second whose deadlines have fired: fired records are facts, and an event applied before
/// them would tell a different story on replay.
public final class EngineHost: @unchecked Sendable {
    // Every mutable property is touched on `queue` only: that is the concurrency contract that
    // makes this class Sendable.
    private let queue = DispatchQueue(label: "io.slad.engine")
    private var machine: SLAMachine
    private var timer: DispatchSourceTimer?
    /// The instant the armed timer wakes at; nil when disarmed.
    private var timerInstant: Instant?
    /// Every deadline at or before this instant has fired.
    private var firedThrough: Instant
    /// The earliest instant the next event may be applied at.
    private var appliedFrom: Instant
    private var configText: String
    private var configLoaded: Instant
    private let started: Instant
    private var lateness = TimerLateness()
    /// Counts steps that may change ``status()``: the service manager's STATUS line is refreshed
    /// only when it moved.
    private var changes: UInt64 = 0
    private var watchdog: EngineWatchdog?
    /// When the watchdog was last pinged (monotonic); nil before the first ping.
    private var lastPing: DispatchTime?

    public let configPath: String
    public let store: StateStore
    private let committer: GroupCommitter
    private let clock: any WallClock
    private let logger: Logger
    private let feed: RecordFeed
    /// The metrics' view of the work (timer lateness, Submit outcomes, commits); nil: none is kept.
    private let observer: HostObserver?

    /// Seconds an event's `at` may lie ahead of slad's clock (clients' clocks drift a little); it is
    /// then applied now, as deadlines cannot be fired ahead of time.
    public static let futureTolerance: Int64 = 5
    /// Longest sleep of the timer: a wall clock set forward, or a suspend, is noticed within this.
    public static let longestSleep: Int64 = 30
    /// Seconds between passes that take closed tickets' events out of the log while slad runs (they
    /// go at each start too): a daemon up for months would otherwise make its next start apply a
    /// log of all that history, and take as long.
    public static let forgetInterval: Int64 = 3600

    /// The wall clock instant of the last pass over closed tickets.
    private var lastForget: Instant
    /// Runs the passes, off the engine's queue: a pass waits for the store's writer like a commit.
    private let maintenance = DispatchQueue(label: "io.slad.maintenance", qos: .utility)

    /// Opens the state, applies the log again, fires what fell due while slad was down, and takes the
    /// configuration file into use (logging it when it changed).
    public init(
        configPath: String,
        stateDirectory: String,
        clock: any WallClock = SystemClock(),
        feed: RecordFeed = RecordFeed(),
        progress: RecoveryProgress? = nil,
        observer: HostObserver? = nil,
        logger: Logger
    ) throws {
        self.configPath = configPath
        self.clock = clock
        self.logger = logger
        self.feed = feed
        self.observer = observer
        let fileText = try Self.readConfig(configPath)
        let fileConfiguration: Configuration
        switch ConfigLoader.parse(yaml: fileText, file: configPath) {
        case .success(let loaded): fileConfiguration = loaded
        case .failure(let errors): throw errors
        }
        store = try StateStore(directory: stateDirectory)

        let forgotten = try store.forgetClosedTickets()
        if forgotten > 0 { logger.info("forgot \(forgotten) logged events of closed tickets") }
        let replayStarted = ContinuousClock.now
        let recovered = try Self.recover(store: store, progress: progress, logger: logger)
        let replayTook = ContinuousClock.now - replayStarted
        let now = clock.now()
        started = now
        lastForget = now
        var firedThrough = recovered.firedThrough
        var appliedFrom = recovered.appliedFrom
        var unit = CommitUnit(log: [], records: [], firedThrough: nil)
        var records: [TimelineRecord] = []
        var machine: SLAMachine
        if var recoveredMachine = recovered.machine {
            if now > firedThrough {
                recoveredMachine.fire(through: now, records: &records)
                unit.records += records.map { StoredRecord(record: $0, late: true) }
                unit.firedThrough = now
                firedThrough = now
                appliedFrom = max(appliedFrom, now + 1)
            }
            let summary =
                "recovered \(recoveredMachine.engine.openTicketCount) open tickets from \(recovered.entries) logged "
                + "entries in \(replayTook); \(records.count) late record(s)"
            logger.log(
                level: records.isEmpty ? .info : .warning,
                "\(summary)",
                metadata: Lifecycle.metadata(
                    SladMessageID.recovery,
                    ["SLAD_LATE_RECORDS": "\(records.count)", "SLAD_OPEN": "\(recoveredMachine.engine.openTicketCount)"]))
            records.removeAll()
            machine = recoveredMachine
            if recovered.configText != fileText || recovered.configPath != configPath {
                let at = max(appliedFrom, now)
                do {
                    try machine.reconfigure(fileConfiguration, at: at, records: &records)
                    unit.log.append(.configuration(ConfigurationChange(seq: 0, at: at, path: configPath, text: fileText)))
                    unit.records += records.map { StoredRecord(record: $0, late: false) }
                    appliedFrom = at
                    configText = fileText
                } catch {
                    // The file names agreements open tickets still need: keep the configuration they run on.
                    logger.error(
                        "\(configPath) cannot take over the open tickets; running on the configuration in the state",
                        metadata: ["problems": "\(error.problems)"])
                    configText = recovered.configText ?? fileText
                }
            } else {
                configText = fileText
            }
        } else {
            machine = SLAMachine(configuration: fileConfiguration)
            let at = max(appliedFrom, now)
            unit.log.append(.configuration(ConfigurationChange(seq: 0, at: at, path: configPath, text: fileText)))
            appliedFrom = at
            configText = fileText
        }
        if !unit.log.isEmpty || !unit.records.isEmpty || unit.firedThrough != nil {
            let began = ContinuousClock.now
            try store.commit([unit])
            observer?.committed(Self.seconds(ContinuousClock.now - began), [unit])
        }
        self.machine = machine
        self.firedThrough = firedThrough
        self.appliedFrom = appliedFrom
        self.configLoaded = now
        var timing: (@Sendable (Duration, [CommitUnit]) -> Void)?
        if let observer {
            timing = { duration, units in observer.committed(Self.seconds(duration), units) }
        }
        committer = GroupCommitter(store: store, timing: timing) { [feed] units in feed.publish(units) }
        if !unit.records.isEmpty {
            let priorities = feed.hasSinks ? Self.priorities(of: unit.records, in: machine) : [:]
            feed.deliver(Self.published(unit.records, priorities))
            feed.publish([unit])
        }
    }

    private static func readConfig(_ path: String) throws -> String {
        switch ConfigLoader.load(path: path) {
        case .failure(let errors): throw errors
        case .success:
            guard let data = FileManager.default.contents(atPath: path) else {
                throw RecoveryError(description: "\(path): the configuration file cannot be read")
            }
            return String(decoding: data, as: UTF8.self)
        }
    }

    private struct Recovered {
        var machine: SLAMachine?
        var firedThrough = Instant(secondsSince1970: 0)
        var appliedFrom = Instant(secondsSince1970: 0)
        var configText: String?
        var configPath: String?
        var entries = 0
    }

    /// The engine as the log leaves it, with every deadline up to the last committed firing fired.
    private static func recover(store: StateStore, progress: RecoveryProgress?, logger: Logger) throws -> Recovered {
        var recovered = Recovered()
        var discard: [TimelineRecord] = []
        try store.readLog { entry in
            switch entry {
            case .configuration(let change):
                let configuration: Configuration
                switch ConfigLoader.parse(yaml: change.text, file: change.path) {
                case .success(let loaded): configuration = loaded
                case .failure(let errors):
                    throw RecoveryError(
                        description: "the configuration logged at \(change.at) no longer loads:\n\(errors)")
                }
                if recovered.machine == nil {
                    recovered.machine = SLAMachine(configuration: configuration)
                } else {
                    try recovered.machine!.reconfigure(configuration, at: change.at, records: &discard)
                }
                recovered.configText = change.text
                recovered.configPath = change.path
                recovered.appliedFrom = max(recovered.appliedFrom, change.at)
            case .event(let stored):
                guard recovered.machine != nil else {
                    throw RecoveryError(description: "the state's log starts with an event, not a configuration")
                }
                do {
                    try recovered.machine!.apply(stored.event, at: stored.at, records: &discard)
                } catch {
                    // Accepted once, so refused now only if the log was tampered with: say so and go on.
                    logger.error("logged event \(stored.seq) no longer applies: \(error)")
                }
                recovered.appliedFrom = max(recovered.appliedFrom, stored.at)
            }
            discard.removeAll(keepingCapacity: true)
            recovered.entries += 1
            progress?.advance()
        }
        if let firedThrough = try store.firedThrough(), recovered.machine != nil {
            recovered.machine!.fire(through: firedThrough, records: &discard)
            recovered.firedThrough = firedThrough
            recovered.appliedFrom = max(recovered.appliedFrom, firedThrough + 1)
        }
        return recovered
    }

    // MARK: - Running

    /// Arms the timer; from now on deadlines fire as they come due.
    ///
    /// With a `watchdog`, the timer also wakes every `pingInterval` and pings from its handler, on
    /// the engine's queue: a queue that is stuck (a step that never ends) stops the pings, and the
    /// service manager restarts slad. A ping from any other thread would prove nothing.
    public func start(watchdog: EngineWatchdog? = nil) {
        queue.sync {
            self.watchdog = watchdog
            let timer = DispatchSource.makeTimerSource(flags: .strict, queue: queue)
            timer.setEventHandler { [unowned self] in
                self.timerInstant = nil
                self.pingWatchdog()
                self.fireDue()
            }
            self.timer = timer
            timer.activate()
            pingWatchdog()
            fireDue()
        }
    }

    /// On `queue`: pings when half the ping interval has passed since the last ping, so a timer that
    /// wakes often for deadlines does not flood the manager.
    private func pingWatchdog() {
        guard let watchdog else { return }
        let now = DispatchTime.now()
        if let lastPing, now.uptimeNanoseconds &- lastPing.uptimeNanoseconds < Self.nanoseconds(watchdog.pingInterval) / 2 {
            return
        }
        lastPing = now
        watchdog.ping()
    }

    /// Stops the timer and waits until everything accepted is committed.
    public func stop() {
        queue.sync {
            timer?.cancel()
            timer = nil
        }
        committer.drain()
    }

    /// Fires every deadline due by now and arms the timer for the next. On `queue`.
    private func fireDue() {
        changes &+= 1
        let now = clock.now()
        if now > firedThrough {
            var records: [TimelineRecord] = []
            machine.fire(through: now, records: &records)
            firedThrough = now
            appliedFrom = max(appliedFrom, now + 1)
            // Nothing to make durable when only stale deadlines were dropped: after a crash they
            // would be dropped again.
            if !records.isEmpty {
                let emitted = clock.preciseNow()
                for record in records {
                    let late = emitted - Double(record.at.secondsSince1970)
                    lateness.add(late)
                    observer?.timerLateness(late)
                }
                let unit = CommitUnit(
                    log: [], records: records.map { StoredRecord(record: $0, late: false) }, firedThrough: now)
                commit(unit) { _ in }
            }
        }
        if now - lastForget >= Self.forgetInterval {
            lastForget = now
            forgetClosedTickets()
        }
        armTimer()
    }

    /// Takes closed tickets' events out of the log, on the maintenance queue. The engine forgot those
    /// tickets when they closed, so applying the log at the next start arrives at the same state
    /// without them; their timeline records stay.
    private func forgetClosedTickets() {
        maintenance.async { [store, logger] in
            do {
                let forgotten = try store.forgetClosedTickets()
                if forgotten > 0 { logger.info("forgot \(forgotten) logged events of closed tickets") }
            } catch {
                // Nothing is lost: the events stay, and the next pass or start tries again.
                logger.error("cannot take closed tickets' events out of the log: \(error)")
            }
        }
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.components.seconds)) * 1_000_000_000
            + UInt64(max(0, duration.components.attoseconds / 1_000_000_000))
    }

    /// Points the timer at the earliest deadline, or wakes it within ``longestSleep`` to notice clock jumps.
    private func armTimer() {
        guard let timer else { return }
        let now = clock.now()
        var wake = now + Self.longestSleep
        if let next = machine.nextDeadline() { wake = min(wake, max(next, now)) }
        if let armed = timerInstant, armed <= wake { return }
        timerInstant = wake
        if let watchdog {
            // The next ping is due before the deadline: wake for it on the monotonic clock (a wall
            // clock set back must not starve the watchdog), and re-arm from the handler.
            let pingAt = (lastPing ?? .now()) + .nanoseconds(Int(Self.nanoseconds(watchdog.pingInterval)))
            var realtime = timespec()
            clock_gettime(CLOCK_REALTIME, &realtime)
            let toDeadline = (wake.secondsSince1970 - Int64(realtime.tv_sec)) * 1_000_000_000 - Int64(realtime.tv_nsec)
            let toPing = Int64(bitPattern: pingAt.uptimeNanoseconds &- DispatchTime.now().uptimeNanoseconds)
            if toPing < toDeadline {
                timer.schedule(deadline: pingAt, leeway: .nanoseconds(0))
                return
            }
        }
        timer.schedule(
            wallDeadline: DispatchWallTime(timespec: timespec(tv_sec: Int(wake.secondsSince1970), tv_nsec: 0)),
            leeway: .nanoseconds(0))
    }

    /// Commits a unit; a store that fails leaves the engine ahead of the disk, so slad stops and
    /// recovers from what is durable rather than serve a state it could lose.
    ///
    /// When a sink (the journal) takes records, each record goes with its ticket's priority level,
    /// looked up here on the queue: `TimelineRecord` carries no priority (the engine's hot path and
    /// the replay format stay as they are), and only this queue may read the engine. One index probe
    /// per ticket of the unit, and none without a sink. `before` has the levels of tickets a batch
    /// closed, taken before it was applied.
    private func commit(
        _ unit: CommitUnit, before: [String: String] = [:],
        then: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        changes &+= 1
        let published =
            unit.records.isEmpty || !feed.hasSinks
            ? [] : Self.published(unit.records, Self.priorities(of: unit.records, in: machine, before: before))
        committer.submit(unit) { [logger, feed] result in
            if case .failure(let error) = result {
                logger.critical("cannot commit to the state: \(error); stopping so that a restart recovers")
                exit(EXIT_FAILURE)
            }
            // Completions run on the committer thread in commit order, before watchers are told.
            feed.deliver(published)
            then(result)
        }
    }

    /// Each record's ticket's priority level, as the engine has it now (else as `before` had it).
    private static func priorities(
        of records: [StoredRecord], in machine: SLAMachine, before: [String: String] = [:]
    ) -> [String: String] {
        var levels: [String: String] = [:]
        for stored in records where levels[stored.record.ticket] == nil {
            let ticket = stored.record.ticket
            if let level = machine.engine.priorityLevel(of: ticket) ?? before[ticket] { levels[ticket] = level }
        }
        return levels
    }

    private static func published(_ records: [StoredRecord], _ levels: [String: String]) -> [PublishedRecord] {
        records.map { PublishedRecord(stored: $0, ticketPriority: levels[$0.record.ticket]) }
    }

    /// Runs `body` on the engine's queue and returns what it returns, from async code.
    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }

    // MARK: - Requests

    /// Applies a batch all or nothing and returns once it is committed.
    public func submit(_ events: [TimedEvent], actor: UInt32) async -> SubmitOutcome {
        await withCheckedContinuation { continuation in
            submit(events, actor: actor) { continuation.resume(returning: $0) }
        }
    }

    /// ``submit(_:actor:)`` for callers that are not tasks: `completion` runs once, on the store's
    /// writer thread (or the engine's queue for a refusal), so it must be quick.
    public func submit(
        _ events: [TimedEvent], actor: UInt32, completion: @escaping @Sendable (SubmitOutcome) -> Void
    ) {
        guard !events.isEmpty else { return completion(.accepted(0)) }
        guard let observer else { return queue.async { self.apply(events, actor: actor, reply: completion) } }
        queue.async {
            self.apply(events, actor: actor) { outcome in
                observer.submitted(outcome)
                completion(outcome)
            }
        }
    }

    /// On `queue`: applies the batch and calls `reply` once it is durable (or refused).
    private func apply(_ events: [TimedEvent], actor: UInt32, reply: @escaping @Sendable (SubmitOutcome) -> Void) {
        let now = clock.now()
        var latest = Instant(secondsSince1970: 0)
        for (index, event) in events.enumerated() {
            let at = event.at ?? now
            if at - now > Self.futureTolerance {
                let message =
                    "\"at\" \(Timestamp.format(at)) is \(at - now) s ahead of slad's clock "
                    + "(\(Timestamp.format(now))); leave it out to mean now"
                reply(.invalid(index: index, message: message))
                return
            }
            latest = max(latest, min(at, now))
        }
        let at = max(appliedFrom, latest)
        var before: [String: String] = [:]
        if feed.hasSinks {
            for event in events where before[event.event.ticket] == nil {
                if let level = machine.engine.priorityLevel(of: event.event.ticket) { before[event.event.ticket] = level }
            }
        }
        var records: [TimelineRecord] = []
        var refusal: BatchRefusal?
        do {
            try machine.apply(batch: events.map(\.event), at: at, records: &records)
        } catch {
            refusal = error
        }
        firedThrough = max(firedThrough, at - 1)
        appliedFrom = at
        let stored = records.map { StoredRecord(record: $0, late: false) }
        if let refusal {
            // Deadlines before the batch's instant fired all the same: their records must be kept.
            if !stored.isEmpty {
                commit(CommitUnit(log: [], records: stored, firedThrough: at - 1), before: before) { _ in }
            }
            reply(.refused(index: refusal.index, error: refusal.error))
            return
        }
        let log = events.map { event in
            LogEntry.event(
                StoredEvent(seq: 0, at: at, requestedAt: event.at, received: now, actor: actor, event: event.event))
        }
        commit(CommitUnit(log: log, records: stored, firedThrough: at - 1), before: before) { _ in
            reply(.accepted(events.count))
        }
        armTimer()
    }

    /// Reads the configuration file again and puts it in charge of the running clocks, or refuses it whole.
    public func reload() async -> ReloadOutcome {
        let path = configPath
        let text: String
        let configuration: Configuration
        do {
            text = try Self.readConfig(path)
            switch ConfigLoader.parse(yaml: text, file: path) {
            case .success(let loaded): configuration = loaded
            case .failure(let errors): return .refused(errors.diagnostics.map(\.description))
            }
        } catch let errors as ConfigErrors {
            return .refused(errors.diagnostics.map(\.description))
        } catch {
            return .refused(["\(error)"])
        }
        let summary = ConfigLoader.summary(of: configuration, file: path)
        return await withCheckedContinuation { continuation in
            queue.async { [self] in
                guard text != configText else {
                    continuation.resume(returning: .unchanged(summary: summary))
                    return
                }
                let at = max(appliedFrom, clock.now())
                var records: [TimelineRecord] = []
                do {
                    try machine.reconfigure(configuration, at: at, records: &records)
                } catch let error as ReconfigurationError {
                    continuation.resume(returning: .refused(error.problems.map { "\(path): \($0)" }))
                    return
                } catch {
                    preconditionFailure("reconfigure throws only ReconfigurationError")
                }
                firedThrough = max(firedThrough, at - 1)
                appliedFrom = at
                configText = text
                configLoaded = clock.now()
                let unit = CommitUnit(
                    log: [.configuration(ConfigurationChange(seq: 0, at: at, path: path, text: text))],
                    records: records.map { StoredRecord(record: $0, late: false) }, firedThrough: at - 1)
                commit(unit) { _ in continuation.resume(returning: .applied(summary: summary)) }
                timerInstant = nil
                armTimer()
            }
        }
    }

    /// Checks the configuration file without applying it: its summary, or every error.
    public func checkConfig() -> Result<String, ConfigErrors> {
        ConfigLoader.load(path: configPath).map { ConfigLoader.summary(of: $0, file: configPath) }
    }

    /// The ticket's snapshot as of now, or nil when it is not open.
    public func ticket(_ id: String) async -> TicketView? {
        await onQueue { [self] in
            guard let snapshot = machine.engine.snapshot(of: id, at: clock.now()) else { return nil }
            let calendars = machine.engine.configuration.calendars
            let hours = snapshot.clocks.map { clock in
                calendars.first { $0.name == clock.calendar }.map(CalendarText.describe) ?? ""
            }
            return TicketView(snapshot: snapshot, calendarHours: hours)
        }
    }

    /// Open tickets matching `filter`, most urgent first.
    public func tickets(matching filter: TicketFilter, limit: Int) async -> [TicketSummary] {
        await onQueue { [self] in machine.engine.tickets(matching: filter, limit: limit, at: clock.now()) }
    }

    /// Open and breached tickets by line and priority, counted now on the engine's queue (one pass
    /// over the tickets: the metrics ask at most once a second).
    public func census() async -> TicketCensus {
        await onQueue { [self] in machine.engine.census() }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    public func status() async -> HostStatus {
        await onQueue { [self] in statusNow() }
    }

    /// The status and a change count, or nil when nothing changed since `changes` (a count this
    /// returned before): the STATUS line is then still current and costs no scan of the tickets.
    public func status(ifChangedSince seen: UInt64?) async -> (status: HostStatus, changes: UInt64)? {
        await onQueue { [self] in
            if let seen, seen == changes { return nil }
            return (statusNow(), changes)
        }
    }

    #if DEBUG
    /// Blocks the engine's queue for good: deadlines stop firing and the watchdog stops being
    /// pinged. Debug builds only, for the watchdog test (see `SLAD_TEST_HOOKS` in Daemon.swift).
    public func stallForTesting() {
        queue.async {
            while true { sleep(3600) }
        }
    }
    #endif

    /// The status, on `queue`.
    private func statusNow() -> HostStatus {
        HostStatus(
            configPath: configPath, configLoaded: configLoaded, started: started,
            openTickets: machine.engine.openTicketCount, armedTimers: machine.engine.armedTickets,
            breaches: machine.engine.breachedTicketCount, nextDue: machine.nextDeadline(),
            timerLateness: lateness.summary)
    }

    /// Fires what is due now, as the timer would; for tests that move a manual clock (SLATestKit).
    public func fireDueNow() {
        queue.sync { fireDue() }
    }

    /// Waits until everything accepted so far is durable and a pass over closed tickets that started
    /// has ended; for tests.
    public func drain() {
        queue.sync {}
        committer.drain()
        maintenance.sync {}
    }
}
