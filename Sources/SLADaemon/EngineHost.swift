import Dispatch
import Foundation
import Logging
import SLAConfig
import SLACore
import SLAReport
import SLAStore
import SLAWire
import Synchronization

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
    /// What reports need, beside the engine: its facts go into the commit units as outcomes.
    private var tracker: OutcomeTracker
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
    /// Where zone names are read: anew at every reload, so a tzdata upgrade applies without a restart.
    public let zones: ZoneDatabase
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
    /// The most open tickets since memory was last handed back.
    private var peakOpenTickets = 0
    /// The on-call overrides, oldest first, as committed; read at start, changed on `queue` only.
    private var overrides: [StoredOverride] = [] { didSet { routing = nil } }
    /// The notification settings and channel health the delivery worker and the control socket share.
    public let notifications = NotificationDesk()
    /// Routes records to people (issue 11); rebuilt after a reload or an override change.
    private var routing: NotificationRouter?
    /// Why the state cannot be written now (the disk is full), or nil: set by the store's writer thread,
    /// read on `queue` before a batch is applied.
    private let storage = StorageProblem()

    /// Why the state cannot be written now (the disk is full), or nil when it can.
    public var storageProblem: String? { storage.reason }
    /// Runs the passes, off the engine's queue: a pass waits for the store's writer like a commit.
    private let maintenance = DispatchQueue(label: "io.slad.maintenance", qos: .utility)

    /// Called once when a commit fails (see `init`).
    private let storeFailed: (@Sendable (StoreError) -> Void)?
    /// The first commit that failed: from then on nothing is applied or fired, as the engine is ahead
    /// of the disk. Set on the store's writer thread, read on `queue`.
    private let failure = Mutex<StoreError?>(nil)
    /// ``stop()`` has run: the store is closed.
    private let stopped = Atomic<Bool>(false)

    /// Opens the state, applies the log again, fires what fell due while slad was down, and takes the
    /// configuration file into use (logging it when it changed).
    ///
    /// - Parameter storeFailed: called once, on the store's writer thread, when a commit fails, after
    ///   the critical log line that explains it: the owner stops slad, which then recovers from what
    ///   is durable rather than serve a state it could lose. From then on batches are answered
    ///   ``SubmitOutcome/storageUnavailable(reason:)`` and nothing fires.
    /// - Parameter zones: where the configuration's zone names are read, at start and at each reload.
    public init(
        configPath: String,
        stateDirectory: String,
        zones: ZoneDatabase = .system(),
        clock: any WallClock = SystemClock(),
        feed: RecordFeed = RecordFeed(),
        progress: RecoveryProgress? = nil,
        observer: HostObserver? = nil,
        fullDisk: GroupCommitter.FullDisk = GroupCommitter.FullDisk(),
        logger: Logger,
        storeFailed: (@Sendable (StoreError) -> Void)? = nil
    ) throws {
        let recovered = try RecoveredEngine.recover(
            configPath: configPath, stateDirectory: stateDirectory, zones: zones, clock: clock, progress: progress,
            logger: logger)
        self.configPath = configPath
        self.zones = zones
        store = recovered.store
        self.clock = clock
        self.logger = logger
        self.feed = feed
        self.observer = observer
        self.storeFailed = storeFailed
        machine = recovered.machine
        tracker = recovered.tracker
        overrides = try recovered.store.overrides()
        notifications.configure(recovered.machine.engine.configuration)
        firedThrough = recovered.firedThrough
        appliedFrom = recovered.appliedFrom
        configText = recovered.configText
        started = recovered.now
        configLoaded = recovered.now
        // The first pass over closed tickets comes with the timer's first wake, once slad serves: a
        // start that trimmed first took 11.6 s to serve 0 open tickets.
        lastForget = recovered.now - Self.forgetInterval
        var timing: (@Sendable (Duration, [CommitUnit]) -> Void)?
        if let observer {
            timing = { duration, units in observer.committed(Self.seconds(duration), units) }
        }
        committer = GroupCommitter(
            store: store, timing: timing, fullDisk: fullDisk,
            onStorage: { [storage, logger] state in
                switch state {
                case .full(let reason):
                    storage.set(reason)
                    logger.error(
                        """
                        the state cannot be written: \(reason). Submit and Reload are refused until there is space; \
                        records the timer fires are held (up to \(fullDisk.capacity)) and committed then
                        """)
                case .available:
                    storage.set(nil)
                    logger.notice("the state can be written again: the held records are committed")
                }
            }
        ) { [feed] units in feed.publish(units) }
        let unit = recovered.committed
        observer?.committed(nil, [unit])
        if !unit.records.isEmpty {
            let priorities = feed.hasSinks ? Self.priorities(of: unit.records, in: machine) : [:]
            feed.deliver(Self.published(unit.records, priorities))
            feed.publish([unit])
        }
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

    /// Stops the timer, commits everything accepted, waits for a pass over closed tickets that is
    /// under way, and closes the store. Runs once; later calls return at once. Batches that arrive
    /// afterwards are answered ``SubmitOutcome/storageUnavailable(reason:)``.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.sync {
            timer?.cancel()
            timer = nil
        }
        committer.close()
        maintenance.sync {}
        do {
            try store.close()
        } catch {
            logger.error("cannot close the state cleanly: \(error)")
        }
    }

    /// Why nothing more is applied: the store failed, or the host stopped; nil while it runs.
    private var unavailability: String? {
        if let error = failure.withLock({ $0 }) { return "the state cannot be written: \(error)" }
        if stopped.load(ordering: .acquiring) { return "slad is stopping" }
        // A full disk: commits are held and retried; nothing new is applied meanwhile.
        if let reason = storage.reason { return reason }
        return nil
    }

    /// Fires every deadline due by now and arms the timer for the next. On `queue`.
    private func fireDue() {
        changes &+= 1
        // Firing would commit records the store can no longer take (a full disk holds them instead).
        guard failure.withLock({ $0 }) == nil, !stopped.load(ordering: .acquiring) else { return }
        let now = clock.now()
        if now > firedThrough {
            var records: [TimelineRecord] = []
            var outcomes: [StoredOutcome] = []
            tracker.fire(through: now, machine: &machine, records: &records) { outcomes.append(StoredOutcome($0)) }
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
                    log: [], records: records.map { StoredRecord(record: $0, late: false) }, firedThrough: now,
                    outcomes: outcomes)
                commit(unit) { _ in }
            }
        }
        if now - lastForget >= Self.forgetInterval {
            lastForget = now
            let retention = machine.engine.configuration.retention
            maintain(recordsBefore: now - retention.recordSeconds, outcomesBefore: now - retention.reportSeconds)
        }
        returnMemoryAfterCloses()
        armTimer()
    }

    /// The maintenance pass, on its own queue, in the store's small transactions: takes closed
    /// tickets' events out of the log (the engine forgot those tickets when they closed, so applying
    /// the log at the next start arrives at the same state without them), removes closed tickets'
    /// records older than the retention, and hands freed memory back to the system.
    private func maintain(recordsBefore cutoff: Instant, outcomesBefore outcomeCutoff: Instant) {
        maintenance.async { [store, logger] in
            do {
                let forgotten = try store.forgetClosedTickets()
                if forgotten > 0 { logger.info("forgot \(forgotten) logged events of closed tickets") }
                let removed = try store.removeRecords(before: cutoff)
                if removed > 0 { logger.info("removed \(removed) timeline rows of closed tickets older than the retention") }
                let outcomes = try store.removeOutcomes(before: outcomeCutoff)
                if outcomes > 0 {
                    logger.info("removed \(outcomes) report outcomes of closed tickets older than the retention")
                }
            } catch {
                // Nothing is lost: the rows stay, and the next pass tries again.
                logger.error("cannot take closed tickets' history out of the state: \(error)")
            }
            MemoryReturn.now()
        }
    }

    /// On `queue`: after many tickets closed, gives the memory they held back to the system.
    ///
    /// The allocator keeps freed memory for the process: a million tickets opened and closed left
    /// the daemon hundreds of MiB larger than it needs. `malloc_trim` walks the heap, so it runs on
    /// the maintenance queue, and only when the open tickets fell by half and by thousands.
    private func returnMemoryAfterCloses() {
        let open = machine.engine.openTicketCount
        peakOpenTickets = max(peakOpenTickets, open)
        guard peakOpenTickets - open >= 10_000, open <= peakOpenTickets / 2 else { return }
        peakOpenTickets = open
        maintenance.async { MemoryReturn.now() }
    }

    private static func nanoseconds(_ duration: Duration) -> UInt64 {
        UInt64(max(0, duration.components.seconds)) * 1_000_000_000
            + UInt64(max(0, duration.components.attoseconds / 1_000_000_000))
    }

    /// Points the timer at the earliest deadline, or wakes it within ``longestSleep`` to notice clock jumps.
    private func armTimer() {
        guard let timer else { return }
        guard
            let wake = TimerSchedule.deadlineWake(
                now: clock.now(), nextDeadline: machine.nextDeadline(), armed: timerInstant,
                longestSleep: Self.longestSleep)
        else { return }
        timerInstant = wake
        var pingAt: DispatchTime?
        var toPing: Int64?
        if let watchdog {
            let at = (lastPing ?? .now()) + .nanoseconds(Int(Self.nanoseconds(watchdog.pingInterval)))
            pingAt = at
            toPing = Int64(bitPattern: at.uptimeNanoseconds &- DispatchTime.now().uptimeNanoseconds)
        }
        var realtime = timespec()
        clock_gettime(CLOCK_REALTIME, &realtime)
        let realtimeNanoseconds = Int64(realtime.tv_sec) * 1_000_000_000 + Int64(realtime.tv_nsec)
        switch TimerSchedule.wake(for: wake, realtimeNanoseconds: realtimeNanoseconds, nanosecondsToPing: toPing) {
        case .ping:
            // The handler pings and re-arms for the deadline.
            timer.schedule(deadline: pingAt!, leeway: .nanoseconds(0))
        case .wallClock(let instant):
            timer.schedule(
                wallDeadline: DispatchWallTime(timespec: timespec(tv_sec: Int(instant.secondsSince1970), tv_nsec: 0)),
                leeway: .nanoseconds(0))
        }
    }

    /// Commits a unit; a store that fails leaves the engine ahead of the disk (see ``storeFailed``).
    ///
    /// When a sink (the journal) takes records, each record goes with its ticket's priority level,
    /// looked up here on the queue: `TimelineRecord` carries no priority (the engine's hot path and
    /// the replay format stay as they are), and only this queue may read the engine. One index probe
    /// per ticket of the unit, and none without a sink. `before` has the levels of tickets a batch
    /// closed, taken before it was applied.
    private func commit(
        _ unit: CommitUnit, before: [String: String] = [:], opened: [String: (String?, String?)] = [:],
        then: @escaping @Sendable (Result<Void, StoreError>) -> Void
    ) {
        changes &+= 1
        var unit = unit
        let router = routing ?? NotificationRouter(configuration: machine.engine.configuration, overrides: overrides)
        routing = router
        router.route(&unit, engine: machine.engine, store: store, now: clock.now(), before: before, opened: opened)
        let published =
            unit.records.isEmpty || !feed.hasSinks
            ? [] : Self.published(unit.records, Self.priorities(of: unit.records, in: machine, before: before))
        let notifies = !unit.notifications.isEmpty
        committer.submit(unit) { [self] result in
            if case .failure(let error) = result {
                commitFailed(error)
            } else {
                if notifies { notifications.wake() }
                // Completions run on the committer thread in commit order, before watchers are told.
                feed.deliver(published)
            }
            then(result)
        }
    }

    /// The one place a failed commit is judged, on the store's writer thread. Every failure that
    /// reaches here stops slad: the engine is ahead of the disk, and a restart recovers from what is
    /// durable. A failure slad can ride out (a full disk: answer the batch, stay up) is to be told
    /// apart here, before the failure is recorded, and answered without `storeFailed`.
    private func commitFailed(_ error: StoreError) {
        let first = failure.withLock { failure -> Bool in
            guard failure == nil else { return false }
            failure = error
            return true
        }
        guard first else { return }
        if error.isStorageFull {
            logger.critical(
                """
                the disk stayed full past the records slad holds in memory: \(error); stopping so that a \
                restart recovers (what the timer fired is fired again, marked late)
                """)
        }
        logger.critical(
            "cannot commit to the state: \(error); stopping so that a restart recovers",
            metadata: Lifecycle.metadata(SladMessageID.storeFailed, ["SLAD_ERROR": "\(error)"]))
        storeFailed?(error)
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
    /// The configuration the engine runs on now.
    func runningConfiguration() async -> Configuration {
        await onQueue { [self] in machine.engine.configuration }
    }

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
        var reply = completion
        if let observer {
            reply = { outcome in
                observer.submitted(outcome)
                completion(outcome)
            }
        }
        queue.async { [reply] in
            if let reason = self.unavailability { return reply(.storageUnavailable(reason: reason)) }
            self.apply(events, actor: actor, reply: reply)
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
        var outcomes: [StoredOutcome] = []
        var refusal: BatchRefusal?
        do {
            try tracker.apply(batch: events.map(\.event), at: at, machine: &machine, records: &records) {
                outcomes.append(StoredOutcome($0))
            }
        } catch {
            refusal = error
        }
        firedThrough = max(firedThrough, at - 1)
        appliedFrom = at
        let stored = records.map { StoredRecord(record: $0, late: false) }
        if let refusal {
            // Deadlines before the batch's instant fired all the same: their records must be kept.
            if !stored.isEmpty {
                commit(
                    CommitUnit(log: [], records: stored, firedThrough: at - 1, outcomes: outcomes), before: before
                ) { _ in }
            }
            reply(.refused(index: refusal.index, error: refusal.error))
            return
        }
        let log = events.map { event in
            LogEntry.event(
                StoredEvent(seq: 0, at: at, requestedAt: event.at, received: now, actor: actor, event: event.event))
        }
        var opened: [String: (String?, String?)] = [:]
        for event in events {
            if case .open(_, let service, let customer, _) = event.event.change {
                opened[event.event.ticket] = (service, customer)
            }
        }
        commit(
            CommitUnit(log: log, records: stored, firedThrough: at - 1, outcomes: outcomes), before: before, opened: opened
        ) { result in
            switch result {
            case .success: reply(.accepted(events.count))
            case .failure(let error): reply(.storageUnavailable(reason: "the state cannot be written: \(error)"))
            }
        }
        armTimer()
    }

    /// Reads the configuration file again and puts it in charge of the running clocks, or refuses it whole.
    public func reload() async -> ReloadOutcome {
        let path = configPath
        let text: String
        let configuration: Configuration
        do {
            let warnings: [ConfigDiagnostic]
            (text, configuration, warnings) = try RecoveredEngine.readConfig(path, zones: zones)
            RecoveredEngine.logWarnings(warnings, logger: logger)
        } catch {
            return .refused(error.diagnostics.map(\.description))
        }
        let summary = ConfigLoader.summary(of: configuration, file: path)
        return await withCheckedContinuation { continuation in
            queue.async { [self] in
                // The same text may still bring new zone rules: a tzdata upgrade applies with a reload.
                let running = machine.engine.configuration
                guard text != configText || configuration.calendars.map(\.zone) != running.calendars.map(\.zone)
                    || configuration.tzdataVersion != running.tzdataVersion
                else {
                    continuation.resume(returning: .unchanged(summary: summary))
                    return
                }
                if let reason = unavailability {
                    continuation.resume(returning: .refused([reason]))
                    return
                }
                let conflicts = Self.overridesDropped(by: configuration, overrides, now: clock.now())
                guard conflicts.isEmpty else {
                    continuation.resume(returning: .refused(conflicts.map { "\(path): \($0)" }))
                    return
                }
                let at = max(appliedFrom, clock.now())
                var records: [TimelineRecord] = []
                var outcomes: [StoredOutcome] = []
                do {
                    try tracker.reconfigure(configuration, at: at, machine: &machine, records: &records) {
                        outcomes.append(StoredOutcome($0))
                    }
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
                routing = nil
                notifications.configure(configuration)
                let unit = CommitUnit(
                    log: [.configuration(ConfigurationChange(seq: 0, at: at, path: path, text: text))],
                    records: records.map { StoredRecord(record: $0, late: false) }, firedThrough: at - 1,
                    outcomes: outcomes)
                commit(unit) { result in
                    switch result {
                    case .success: continuation.resume(returning: .applied(summary: summary))
                    case .failure(let error):
                        continuation.resume(returning: .refused(["the state cannot be written: \(error)"]))
                    }
                }
                timerInstant = nil
                armTimer()
            }
        }
    }

    // MARK: - On call

    /// The configuration's on-call part and the overrides, as of now: what the control methods compute on.
    public func onCall() async -> OnCallView {
        await onQueue { [self] in
            let configuration = machine.engine.configuration
            return OnCallView(
                people: configuration.people, teams: configuration.teams, lines: configuration.lines,
                overrides: overrides, now: clock.now())
        }
    }

    /// Adds an override once it is committed, or says why not.
    ///
    /// Checked and written on the engine's queue, so a reload cannot drop the team or person between
    /// the check and the commit; an override is a rare, human-paced write, one synced transaction.
    public func addOverride(
        team: String, person: String, start: Instant, end: Instant, actor: UInt32
    ) async -> Result<StoredOverride, OverrideRefusal> {
        await onQueue { [self] in
            let configuration = machine.engine.configuration
            guard configuration.team(named: team) != nil else { return .failure(.unknownTeam(team)) }
            guard configuration.person(id: person) != nil else {
                return .failure(.invalid("unknown person \"\(person)\"; people are configured under people"))
            }
            guard end > start else { return .failure(.invalid("the override must end after it starts")) }
            if let reason = unavailability { return .failure(.storage(reason)) }
            do {
                let stored = try store.addOverride(
                    team: team, person: person, start: start, end: end, actor: actor, at: clock.now())
                overrides.append(stored)
                let id = stored.override.id
                logger.notice("on-call override \(id) added by uid \(actor): \(person) for \(team) \(start) to \(end)")
                return .success(stored)
            } catch {
                return .failure(.storage("\(error)"))
            }
        }
    }

    /// Removes an override once the removal is committed; `.unknownOverride` when no override has that id.
    public func removeOverride(id: String, actor: UInt32) async -> Result<Void, OverrideRefusal> {
        await onQueue { [self] in
            guard overrides.contains(where: { $0.override.id == id }) else { return .failure(.unknownOverride(id)) }
            if let reason = unavailability { return .failure(.storage(reason)) }
            do {
                guard try store.removeOverride(id: id) else { return .failure(.unknownOverride(id)) }
                overrides.removeAll { $0.override.id == id }
                logger.notice("on-call override \(id) removed by uid \(actor)")
                return .success(())
            } catch {
                return .failure(.storage("\(error)"))
            }
        }
    }

    /// Why `configuration` may not replace the running one: each override still to come (or running)
    /// whose team or person it drops. Past overrides name what they like.
    static func overridesDropped(by configuration: Configuration, _ overrides: [StoredOverride], now: Instant)
        -> [String]
    {
        var problems: [String] = []
        for stored in overrides where stored.override.end > now {
            let o = stored.override
            if configuration.team(named: o.team) == nil {
                problems.append(
                    "team \"\(o.team)\" is gone, but override \(o.id) (\(o.person), \(o.start) to \(o.end)) names it; "
                        + "remove the override first (slactl oncall override remove \(o.id)) or keep the team")
            } else if configuration.person(id: o.person) == nil {
                problems.append(
                    "person \"\(o.person)\" is gone, but override \(o.id) (\(o.team), \(o.start) to \(o.end)) names "
                        + "her or him; remove the override first (slactl oncall override remove \(o.id)) "
                        + "or keep the person")
            }
        }
        return problems
    }

    /// Checks the configuration file without applying it: its summary, or every error.
    public func checkConfig() -> Result<String, ConfigErrors> {
        ConfigLoader.load(path: configPath, zones: zones).map { ConfigLoader.summary(of: $0, file: configPath) }
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
            timerLateness: lateness.summary, tzdataVersion: machine.engine.configuration.tzdataVersion)
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

/// The reason the state cannot be written, shared between the store's writer thread and the engine's queue.
final class StorageProblem: Sendable {
    private let value = Mutex<String?>(nil)

    var reason: String? { value.withLock { $0 } }
    func set(_ reason: String?) { value.withLock { $0 = reason } }
}
