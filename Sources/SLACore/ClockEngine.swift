import CPrefetch

/// What the engine decided while handling an event or a deadline.
///
/// The caller owns one and reuses it (`removeAll(keepingCapacity:)`), so the hot path allocates nothing.
public struct EngineOutput: Sendable {
    /// Timeline records, in the order they happened.
    public var records: [TimelineRecord] = []
    /// Thresholds to arm: call ``ClockEngine/fire(_:into:)`` when each comes due.
    public var deadlines: [Deadline] = []

    public init() {}

    public mutating func removeAll() {
        records.removeAll(keepingCapacity: true)
        deadlines.removeAll(keepingCapacity: true)
    }
}

/// The SLA engine: every open ticket's response, resolution and line clocks, as a pure state machine.
///
/// Events and deadlines go in with the instant they happen at; timeline records and deadlines to arm
/// come out. The engine never reads a clock and never sleeps: the daemon and the offline replay
/// drive it the same way (see ``SLAMachine``), so both emit the very same records.
///
/// Contract for the driver: before applying an event at instant t, fire every deadline before t.
public struct ClockEngine: Sendable {
    public internal(set) var configuration: Configuration
    var rules: CompiledRules
    var tickets: ContiguousArray<Ticket> = []
    /// Each ticket's response, resolution and line clock at `slot * 3 + 0, 1, 2`. Apart from the
    /// tickets so that the hot path updates a clock in place: a clock is plain data, a ticket is not.
    var clocks: ContiguousArray<Clock> = []
    var slots = TicketIndex()
    var freeSlots: [UInt32] = []
    /// Why each paused ticket waits; kept aside, as few tickets wait at once.
    var pauseReasons: [UInt32: String] = [:]
    /// Breaches in the order they fired, which is the order of their due instants: the most overdue
    /// tickets are at the front, so listing them needs no pass over every ticket. Entries go stale
    /// when a ticket is resolved or closed; see ``BreachLog``.
    var breachLog = BreachLog()

    public init(configuration: Configuration) {
        self.configuration = configuration
        self.rules = CompiledRules(configuration)
    }

    /// Tickets with a deadline queued: the queue holds this many live entries, the rest are stale.
    public internal(set) var armedTickets = 0

    /// Whether a queued deadline still stands (its ticket waits for exactly this instant).
    public func isLive(_ deadline: Deadline) -> Bool {
        let s = Int(deadline.slot)
        return s < tickets.count && !tickets[s].id.isEmpty
            && tickets[s].armed == deadline.instant.secondsSince1970
    }

    /// Number of open (not closed) tickets.
    public var openTicketCount: Int { slots.count }

    /// Reserves room for this many tickets, so a large load does not grow the tables step by step.
    public mutating func reserveCapacity(_ n: Int) {
        tickets.reserveCapacity(n)
        clocks.reserveCapacity(n * 3)
        HugePages.advise(&tickets)
        HugePages.advise(&clocks)
        // A short-lived copy of the array reference; no ticket is written while it lives.
        do {
            let current = tickets
            slots.reserveCapacity(n) { current[Int($0)].id }
        }
    }

    @inline(__always)
    func slot(of id: String) -> UInt32? {
        slots.find(id) { tickets[Int($0)].id }
    }

    // MARK: - Events

    /// Applies one event at `now`. A refused event changes nothing and emits nothing.
    public mutating func apply(
        _ event: TicketEvent,
        at now: Instant,
        into out: inout EngineOutput
    ) throws(EngineError) {
        let t = now.secondsSince1970
        if case .open(let priority, let service, let customer, let line) = event.change {
            let slot = try open(
                event.ticket, priority: priority, service: service, customer: customer, line: line, at: t, &out)
            rearm(slot, &out)
            return
        }
        guard let slot = slot(of: event.ticket) else { throw .unknownTicket(event.ticket) }
        let s = Int(slot)
        func refuse(_ reason: String) -> EngineError {
            .invalidTransition(ticket: event.ticket, event: event.change.name, reason: reason)
        }
        let resolved = tickets[s].isResolved
        switch event.change {
        case .open:
            preconditionFailure("handled above")
        case .respond:
            guard clocks[s * 3 + 0].phase != .stopped else {
                throw refuse(resolved ? "it is resolved" : "it has been responded to already")
            }
            stop(slot, 0, at: t, &out)
        case .assign(let line):
            guard (1...4).contains(line) else { throw .invalidLine(line) }
            guard !resolved else { throw refuse("it is resolved; reopen it first") }
            let from = Int(tickets[s].line)
            guard line != from else { throw refuse("it is at line \(line) already") }
            stop(slot, 2, at: t, &out)
            out.records.append(
                TimelineRecord(
                    at: now, ticket: event.ticket,
                    kind: .functionalEscalation(from: from, to: line, reason: .manual)))
            startLineClock(slot, line: line, at: t, &out)
        case .pause(let reason):
            guard !resolved else { throw refuse("it is resolved") }
            tickets[s].isPaused = true
            pauseReasons[slot] = reason
            tickets[s].pauseBit = rules.pauseBit(reason)
            for c in 0..<3 { applyPause(slot, c, at: t, &out) }
        case .resume:
            guard tickets[s].isPaused else { throw refuse("it is not paused") }
            tickets[s].isPaused = false
            pauseReasons[slot] = nil
            tickets[s].pauseBit = 0
            for c in 0..<3 { applyPause(slot, c, at: t, &out) }
        case .reprioritize(let choice):
            let level = try priorityLevel(choice)
            guard level != Int(tickets[s].priority) else { return }
            tickets[s].priority = UInt8(level)
            for c in 0..<3 where clocks[s * 3 + c].phase != .stopped {
                rebase(slot, c, at: t)
                setTarget(slot, c)
                if clocks[s * 3 + c].phase == .running {
                    refreshDueAndArm(slot, c, &out)
                }
            }
        case .resolve:
            guard !resolved else { throw refuse("it is resolved already") }
            for c in 0..<3 { stop(slot, c, at: t, &out) }
            tickets[s].isResolved = true
            tickets[s].isPaused = false
            pauseReasons[slot] = nil
            tickets[s].pauseBit = 0
        case .reopen:
            guard resolved else { throw refuse("it is not resolved") }
            tickets[s].isResolved = false
            // Same clock run: counted time and fired thresholds are kept. The priority may have
            // changed while the ticket was resolved, so the target is taken afresh.
            clocks[s * 3 + 1].phase = .running
            clocks[s * 3 + 1].since = t
            setTarget(slot, 1)
            refreshDueAndArm(slot, 1, &out)
            // The line that gets the ticket back gets a fresh OLA run.
            startLineClock(slot, line: Int(tickets[s].line), at: t, &out)
        case .close:
            for c in 0..<3 { stop(slot, c, at: t, &out) }
            do {
                let current = tickets
                slots.remove(event.ticket) { current[Int($0)].id }
            }
            if tickets[s].armed != Clock.never { armedTickets -= 1 }
            pauseReasons[slot] = nil
            tickets[s] = Ticket.vacant
            freeSlots.append(slot)
            return
        }
        rearm(slot, &out)
    }

    private mutating func open(
        _ id: String,
        priority choice: PriorityChoice,
        service: String?,
        customer: String?,
        line: Int?,
        at t: Int64,
        _ out: inout EngineOutput
    ) throws(EngineError) -> UInt32 {
        do {
            let current = tickets
            slots.makeRoomForOneMore { current[Int($0)].id }
        }
        guard case .vacant(let bucket) = slots.probe(id, ids: { tickets[Int($0)].id }) else {
            throw .ticketAlreadyOpen(id)
        }
        let level = try priorityLevel(choice)
        guard let sla = rules.slaIndex(service: service, customer: customer) else {
            throw .noAgreement(service: service, customer: customer)
        }
        let lineNumber = line ?? 1
        guard (1...4).contains(lineNumber) else { throw .invalidLine(lineNumber) }

        var ticket = Ticket.vacant
        ticket.id = id
        ticket.priority = UInt8(level)
        ticket.sla = UInt16(sla)
        ticket.line = UInt8(lineNumber)
        let response = Clock(agreement: UInt16(sla))
        let resolution = Clock(agreement: UInt16(sla))
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
            tickets[Int(slot)] = ticket
            clocks[Int(slot) * 3] = response
            clocks[Int(slot) * 3 + 1] = resolution
        } else {
            slot = UInt32(tickets.count)
            tickets.append(ticket)
            clocks.append(response)
            clocks.append(resolution)
            clocks.append(Clock.vacant)
        }
        slots.fill(bucket, with: slot)
        for c in 0..<2 { start(slot, c, at: t, &out) }
        startLineClock(slot, line: lineNumber, at: t, &out)
        return slot
    }

    func priorityLevel(_ choice: PriorityChoice) throws(EngineError) -> Int {
        switch choice {
        case .level(let name):
            guard let level = rules.levelNames.firstIndex(of: name) else {
                throw .unknownPriority(name, known: configuration.priorities.levels)
            }
            return level
        case .matrix(let impact, let urgency):
            guard let level = configuration.priorities.level(impact: impact, urgency: urgency) else {
                throw .unknownImpactUrgency(impact: impact, urgency: urgency)
            }
            return level
        }
    }

    // MARK: - Deadlines

    /// Starts loading what firing a deadline of this ticket reads, so that the driver can ask for
    /// the tickets of the next few deadlines while it fires the current one: at a million tickets
    /// each is a cache miss, and waiting for them one after the other was most of a deadline's cost.
    @inline(__always)
    public func prefetch(slot: UInt32) {
        let s = Int(slot)
        tickets.withUnsafeBufferPointer { tickets in
            guard s < tickets.count else { return }
            let ticket = UnsafeRawPointer(tickets.baseAddress! + s)
            slad_prefetch(ticket)
            slad_prefetch(ticket + MemoryLayout<Ticket>.size - 1)
        }
        clocks.withUnsafeBufferPointer { clocks in
            guard s * 3 + 2 < clocks.count else { return }
            let first = UnsafeRawPointer(clocks.baseAddress! + s * 3)
            slad_prefetch(first)
            slad_prefetch(first + 64)
            slad_prefetch(first + 3 * MemoryLayout<Clock>.stride - 1)
        }
    }

    /// Starts loading the index bucket a lookup of this ticket reads first, so that the driver can
    /// ask for it before firing the deadlines due ahead of the ticket's event.
    @inline(__always)
    public func prefetch(ticket id: String) {
        slots.prefetch(id)
    }

    /// Handles a deadline that came due: fires every threshold of the ticket due by then, response
    /// clock first, and arms the ticket's next one. Stale deadlines (the ticket moved on) fire nothing.
    public mutating func fire(_ deadline: Deadline, into out: inout EngineOutput) {
        let s = Int(deadline.slot)
        let t = deadline.instant.secondsSince1970
        guard isLive(deadline) else { return }
        tickets[s].armed = Clock.never
        armedTickets -= 1
        for c in 0..<3 {
            while clocks[s * 3 + c].phase == .running, clocks[s * 3 + c].armed <= t {
                fireThreshold(deadline.slot, c, at: t, &out)
            }
        }
        rearm(deadline.slot, &out)
    }

    /// Fires the clock's next threshold at `t` and arms the one after.
    private mutating func fireThreshold(_ slot: UInt32, _ c: Int, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        let now = Instant(secondsSince1970: t)
        let clock = clocks[s * 3 + c]
        let entry = rules.thresholds[Int(clock.next)]
        clocks[s * 3 + c].next += 1
        clocks[s * 3 + c].armed = Clock.never
        // The threshold was armed at the instant its share was reached (or, if already passed, at
        // `since`), so the counted time at `t` is known without a walk: move `since` up to `t`, and
        // the next walk starts here rather than where the clock started, maybe days ago.
        let reached = (clock.target * Int64(entry.percent) + 99) / 100
        clocks[s * 3 + c].counted = max(reached, clock.counted)
        clocks[s * 3 + c].since = t
        let id = tickets[s].id
        let clockID = self.clockID(s, c)
        let agreement = rules.agreementNames[Int(clock.agreement)]
        if entry.warn {
            out.records.append(
                TimelineRecord(
                    at: now, ticket: id, kind: .warning(clockID, agreement: agreement, percent: Int(entry.percent))))
        }
        if entry.breach && !clock.breached {
            clocks[s * 3 + c].breached = true
            noteBreach(slot, c)
            out.records.append(TimelineRecord(at: now, ticket: id, kind: .breach(clockID, agreement: agreement)))
        }
        for r in Int(entry.rulesStart)..<Int(entry.rulesEnd) {
            let rule = rules.ruleIndices[r]
            guard tickets[s].hierarchicalFired & (1 << UInt64(rule)) == 0 else { continue }
            tickets[s].hierarchicalFired |= 1 << UInt64(rule)
            out.records.append(
                TimelineRecord(
                    at: now, ticket: id,
                    kind: .hierarchicalEscalation(
                        to: rules.ruleTargets[rule], clock: clockID, percent: Int(entry.percent))))
        }
        if entry.breach, c == 2, tickets[s].line < 4 {
            let from = Int(tickets[s].line)
            clocks[s * 3 + 2].phase = .stopped
            out.records.append(
                TimelineRecord(at: now, ticket: id, kind: .functionalEscalation(from: from, to: from + 1, reason: .expired)))
            startLineClock(slot, line: from + 1, at: t, &out)
            return
        }
        armNext(slot, c)
    }

    /// Makes sure a deadline is queued no later than the ticket's earliest armed threshold.
    ///
    /// One queue entry per ticket, not per clock: a third of the queue work. When the earliest
    /// threshold moved later, the queued entry stays; it wakes the ticket early, harmlessly.
    mutating func rearm(_ slot: UInt32, _ out: inout EngineOutput) {
        let s = Int(slot)
        let earliest = min(
            clocks[s * 3 + 0].armed, min(clocks[s * 3 + 1].armed, clocks[s * 3 + 2].armed))
        if earliest == Clock.never {
            // Nothing left to wait for: the queued entry, if any, becomes stale and can be dropped.
            if tickets[s].armed != Clock.never { armedTickets -= 1 }
            tickets[s].armed = Clock.never
            return
        }
        guard earliest < tickets[s].armed else { return }
        if tickets[s].armed == Clock.never { armedTickets += 1 }
        tickets[s].armed = earliest
        out.deadlines.append(Deadline(instant: Instant(secondsSince1970: earliest), slot: slot))
    }

    // MARK: - Clock mechanics

    /// The thresholds of clock `c` of the ticket in slot `s`: its agreement's, for its kind and line.
    @inline(__always)
    func table(_ s: Int, _ c: Int) -> CompiledRules.Table {
        let agreement = Int(clocks[s * 3 + c].agreement)
        switch c {
        case 0: return rules.tables[Int(rules.slaTables[agreement].response)]
        case 1: return rules.tables[Int(rules.slaTables[agreement].resolution)]
        default: return rules.tables[Int(rules.lineTables[Int(tickets[s].line) - 1])]
        }
    }

    func clockID(_ s: Int, _ c: Int) -> ClockID {
        switch c {
        case 0: return .response
        case 1: return .resolution
        default: return .line(Int(tickets[s].line))
        }
    }

    /// Starts a clock run from zero at `t`, paused at once if the ticket waits for a reason its agreement honours.
    mutating func start(_ slot: UInt32, _ c: Int, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        clocks[s * 3 + c].since = t
        clocks[s * 3 + c].counted = 0
        clocks[s * 3 + c].next = table(s, c).start
        clocks[s * 3 + c].breached = false
        setTarget(slot, c)
        if pauses(s, c) {
            clocks[s * 3 + c].phase = .paused
            return
        }
        clocks[s * 3 + c].phase = .running
        refreshDueAndArm(slot, c, &out)
    }

    mutating func startLineClock(_ slot: UInt32, line: Int, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        tickets[s].line = UInt8(line)
        clocks[s * 3 + 2] = Clock(
            agreement: rules.lineAgreements[line - 1])
        start(slot, 2, at: t, &out)
    }

    func pauses(_ s: Int, _ c: Int) -> Bool {
        tickets[s].pauseBit & rules.pauseMasks[Int(clocks[s * 3 + c].agreement)] != 0
    }

    /// Target and calendar for the ticket's current priority.
    mutating func setTarget(_ slot: UInt32, _ c: Int) {
        let s = Int(slot)
        let target = rules.target(
            agreement: Int(clocks[s * 3 + c].agreement), priority: Int(tickets[s].priority), response: c == 0)
        clocks[s * 3 + c].target = target.seconds
        clocks[s * 3 + c].calendar = target.calendar
    }

    /// Moves the time counted so far into `counted`, so the clock can change target, calendar or phase at `t`.
    mutating func rebase(_ slot: UInt32, _ c: Int, at t: Int64) {
        let s = Int(slot)
        let clock = clocks[s * 3 + c]
        guard clock.phase == .running else { return }
        clocks[s * 3 + c].counted += rules.calendars[Int(clock.calendar)].counted(
            from: Instant(secondsSince1970: clock.since), to: Instant(secondsSince1970: t))
        clocks[s * 3 + c].since = t
    }

    /// Sets a running clock's due instant and arms its next threshold, finding both in one calendar
    /// walk when the next threshold is a warning before the breach.
    mutating func refreshDueAndArm(_ slot: UInt32, _ c: Int, _ out: inout EngineOutput) {
        let s = Int(slot)
        let clock = clocks[s * 3 + c]
        guard clock.phase == .running, clock.target > clock.counted, !clock.breached,
            clock.next < table(s, c).end
        else {
            refreshDue(slot, c, emit: true, &out)
            armNext(slot, c)
            return
        }
        let need = (clock.target * Int64(rules.thresholds[Int(clock.next)].percent) + 99) / 100
        guard need > clock.counted, need < clock.target else {
            refreshDue(slot, c, emit: true, &out)
            armNext(slot, c)
            return
        }
        let (warning, due) = rules.calendars[Int(clock.calendar)].due(
            from: Instant(secondsSince1970: clock.since), counting: need - clock.counted,
            then: clock.target - clock.counted)
        clocks[s * 3 + c].due = due.secondsSince1970
        clocks[s * 3 + c].armed = warning.secondsSince1970
        out.records.append(
            TimelineRecord(
                at: Instant(secondsSince1970: clock.since), ticket: tickets[s].id,
                kind: .due(clockID(s, c), agreement: rules.agreementNames[Int(clock.agreement)], due: due)))
    }

    /// Recomputes the due instant of a running clock from `since`; a breached clock keeps the instant it breached at.
    mutating func refreshDue(_ slot: UInt32, _ c: Int, emit: Bool, _ out: inout EngineOutput) {
        let s = Int(slot)
        let clock = clocks[s * 3 + c]
        guard !clock.breached else { return }
        guard clock.target > 0 else {
            clocks[s * 3 + c].due = Clock.never
            return
        }
        let due: Int64
        if clock.target <= clock.counted {
            due = clock.since
        } else {
            due = rules.calendars[Int(clock.calendar)].due(
                from: Instant(secondsSince1970: clock.since), counting: clock.target - clock.counted
            ).secondsSince1970
        }
        clocks[s * 3 + c].due = due
        if emit {
            let agreement = rules.agreementNames[Int(clock.agreement)]
            out.records.append(
                TimelineRecord(
                    at: Instant(secondsSince1970: clock.since), ticket: tickets[s].id,
                    kind: .due(clockID(s, c), agreement: agreement, due: Instant(secondsSince1970: due))))
        }
    }

    /// Arms the next unfired threshold of a running clock (the caller queues it through ``rearm(_:_:)``).
    mutating func armNext(_ slot: UInt32, _ c: Int) {
        let s = Int(slot)
        let clock = clocks[s * 3 + c]
        guard clock.phase == .running, clock.target > 0, clock.next < table(s, c).end else {
            clocks[s * 3 + c].armed = Clock.never
            return
        }
        let need = (clock.target * Int64(rules.thresholds[Int(clock.next)].percent) + 99) / 100
        let at: Int64
        if need <= clock.counted {
            at = clock.since
        } else if need == clock.target, !clock.breached {
            at = clock.due
        } else {
            at = rules.calendars[Int(clock.calendar)].due(
                from: Instant(secondsSince1970: clock.since), counting: need - clock.counted
            ).secondsSince1970
        }
        clocks[s * 3 + c].armed = at
    }

    /// Stops a clock for good at `t`; met when it had a target and did not pass it.
    private mutating func stop(_ slot: UInt32, _ c: Int, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        guard clocks[s * 3 + c].phase != .stopped else { return }
        rebase(slot, c, at: t)
        clocks[s * 3 + c].phase = .stopped
        clocks[s * 3 + c].armed = Clock.never
        let clock = clocks[s * 3 + c]
        // A clock past its target whose breach has not fired yet (the driver was late) is not met.
        guard clock.target > 0, !clock.breached, clock.counted <= clock.target else { return }
        let agreement = rules.agreementNames[Int(clock.agreement)]
        out.records.append(
            TimelineRecord(
                at: Instant(secondsSince1970: t), ticket: tickets[s].id,
                kind: .met(clockID(s, c), agreement: agreement)))
    }

    /// Pauses or resumes one clock to match the ticket's current pause reason.
    mutating func applyPause(_ slot: UInt32, _ c: Int, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        let shouldPause = pauses(s, c)
        switch clocks[s * 3 + c].phase {
        case .running where shouldPause:
            rebase(slot, c, at: t)
            clocks[s * 3 + c].phase = .paused
            clocks[s * 3 + c].armed = Clock.never
            if !clocks[s * 3 + c].breached { clocks[s * 3 + c].due = Clock.never }
        case .paused where !shouldPause:
            clocks[s * 3 + c].phase = .running
            clocks[s * 3 + c].since = t
            refreshDueAndArm(slot, c, &out)
        default:
            break
        }
    }

    // MARK: - Queries

    /// The ticket's priority level (e.g. `P1`), or nil when it is not open: one index probe, for
    /// whoever annotates records outside the engine (the journal's `SLAD_PRIORITY`).
    public func priorityLevel(of id: String) -> String? {
        guard let slot = slot(of: id) else { return nil }
        return configuration.priorities.levels[Int(tickets[Int(slot)].priority)]
    }

    /// A ticket's state with each clock's counted time as of `now`.
    public func snapshot(of id: String, at now: Instant) -> TicketSnapshot? {
        guard let slot = slot(of: id) else { return nil }
        let s = Int(slot)
        let ticket = tickets[s]
        var snapshots: [ClockSnapshot] = []
        for c in 0..<3 {
            let clock = clocks[s * 3 + c]
            var counted = clock.counted
            if clock.phase == .running {
                counted += configuration.calendars[Int(clock.calendar)].counted(
                    from: Instant(secondsSince1970: clock.since), to: now)
            }
            let state: ClockSnapshot.State
            switch clock.phase {
            case _ where clock.breached: state = .breached
            case .running: state = .running
            case .paused: state = .paused
            case .stopped: state = clock.target > 0 ? .met : .stopped
            }
            snapshots.append(
                ClockSnapshot(
                    clock: clockID(s, c),
                    agreement: configuration.agreements[Int(clock.agreement)].name,
                    calendar: configuration.calendars[Int(clock.calendar)].name,
                    state: state,
                    counted: counted,
                    target: clock.target > 0 ? clock.target : nil,
                    due: clock.due == Clock.never ? nil : Instant(secondsSince1970: clock.due)))
        }
        return TicketSnapshot(
            ticket: id,
            priority: configuration.priorities.levels[Int(ticket.priority)],
            line: Int(ticket.line),
            sla: configuration.agreements[Int(ticket.sla)].name,
            isResolved: ticket.isResolved,
            pauseReason: ticket.isPaused ? pauseReasons[slot] : nil,
            clocks: snapshots)
    }
}

/// A ticket as the engine sees it at one instant.
public struct TicketSnapshot: Sendable, Equatable {
    public var ticket: String
    public var priority: String
    public var line: Int
    public var sla: String
    public var isResolved: Bool
    public var pauseReason: String?
    /// Response, resolution, line.
    public var clocks: [ClockSnapshot]
}

/// One clock of a ticket as of one instant.
public struct ClockSnapshot: Sendable, Equatable {
    public enum State: String, Sendable {
        case running, paused, met, breached
        /// Stopped without a target to meet.
        case stopped
    }

    public var clock: ClockID
    public var agreement: String
    public var calendar: String
    public var state: State
    /// Service seconds counted so far.
    public var counted: Int64
    /// Nil when the agreement sets no target for the ticket's priority.
    public var target: Int64?
    /// Nil while paused, stopped before a due instant was known, or without a target.
    public var due: Instant?
}

// MARK: - Storage

/// One clock's state; three live inline in each ticket, so an open ticket costs no extra allocation.
struct Clock: Sendable {
    static let never = Int64.max

    enum Phase: UInt8, Sendable { case running, paused, stopped }

    /// Start of the running segment.
    var since: Int64 = 0
    /// Stored in 32 bits (68 years) to keep a ticket within three cache lines; see `counted`, `target`.
    private var storedCounted: Int32 = 0
    private var storedTarget: Int32 = 0

    /// Service seconds counted before `since`.
    var counted: Int64 {
        get { Int64(storedCounted) }
        set { storedCounted = Int32(clamping: newValue) }
    }

    /// Counted seconds to reach; 0 when the agreement sets no target for the priority.
    /// The loader refuses targets over ten years, so they fit.
    var target: Int64 {
        get { Int64(storedTarget) }
        set { storedTarget = Int32(clamping: newValue) }
    }
    /// The breach instant while running; the instant it breached at once breached.
    var due: Int64 = never
    /// The instant of the armed threshold, to recognise stale deadlines.
    var armed: Int64 = never
    var calendar: UInt16 = 0
    var agreement: UInt16
    /// Index in `CompiledRules.thresholds` of the next threshold to fire; thresholds fire in
    /// ascending order, so this is all the history a clock run needs.
    var next: UInt16 = 0
    /// Phase in bits 0-1, breached in bit 2: one byte, so a clock takes 40 bytes.
    private var flags: UInt8 = Phase.stopped.rawValue

    var phase: Phase {
        get { Phase(rawValue: flags & 3) ?? .stopped }
        set { flags = flags & ~3 | newValue.rawValue }
    }

    var breached: Bool {
        get { flags & 4 != 0 }
        set { flags = newValue ? flags | 4 : flags & ~4 }
    }

    init(agreement: UInt16) {
        self.agreement = agreement
    }

    static let vacant = Clock(agreement: 0)
}

struct Ticket: Sendable {
    /// Empty for a vacant slot.
    var id: String
    /// The pause reason's bit in the agreements' pause masks; 0 when not paused or no agreement honours it.
    var pauseBit: UInt64 = 0
    /// Hierarchical rules that fired for this ticket (bit = rule index).
    var hierarchicalFired: UInt64 = 0
    /// Instant of the ticket's earliest queued deadline; `Clock.never` when none is queued.
    var armed: Int64 = Clock.never
    var sla: UInt16 = 0
    var priority: UInt8 = 0
    var line: UInt8 = 1
    var isResolved = false
    // Small fields last: Swift lays fields out in order, and this keeps a ticket at 48 bytes.
    var isPaused = false

    static let vacant = Ticket(id: "")
}

/// The configuration folded into flat tables, so the hot path reads plain values and never copies
/// an `Agreement` (each copy retains its arrays).
struct CompiledRules: Sendable {
    struct Threshold: Sendable {
        var percent: Int32
        var warn: Bool
        var breach: Bool
        /// Range in `ruleIndices` of the hierarchical rules that fire here.
        var rulesStart: UInt16
        var rulesEnd: UInt16
    }

    /// Range of one clock kind's thresholds in `thresholds`, ascending by percent.
    struct Table: Sendable {
        var start: UInt16
        var end: UInt16
    }

    var calendars: ContiguousArray<BusinessCalendar>
    var agreementNames: [String]
    var thresholds: ContiguousArray<Threshold> = []
    var ruleIndices: [Int] = []
    var ruleTargets: [String]
    var tables: [Table] = []
    /// Per agreement (index): the tables of its response and resolution clocks (SLA only).
    var slaTables: [(response: UInt16, resolution: UInt16)] = []
    /// Per line 1...4: its agreement and the table of its line clock.
    var lineAgreements: [UInt16]
    var lineTables: [UInt16] = []
    /// Per agreement: the pause reasons it honours, as bits.
    var pauseMasks: [UInt64] = []
    var reasonBits: [String: UInt64] = [:]
    /// Priority names; a handful, so a scan beats hashing.
    var levelNames: [String]
    /// SLAs with a `match`, in file order, and the default SLA.
    private var matchers: [(agreement: Int, services: Set<String>?, customers: Set<String>?)] = []
    private var defaultSLA: Int?
    /// `(agreement * levels + priority) * 2 + (response ? 0 : 1)`: seconds (0 = no target) and calendar.
    private var targetSeconds: [Int64] = []
    private var targetCalendars: [UInt16] = []
    private let levels: Int

    init(_ configuration: Configuration) {
        calendars = ContiguousArray(configuration.calendars)
        agreementNames = configuration.agreements.map(\.name)
        ruleTargets = configuration.hierarchicalRules.map(\.notify)
        lineAgreements = configuration.lines.map { UInt16($0.agreement) }
        levels = configuration.priorities.levels.count
        levelNames = configuration.priorities.levels
        for (index, agreement) in configuration.agreements.enumerated() where agreement.kind == .sla {
            if let match = agreement.match {
                matchers.append((index, match.services.map(Set.init), match.customers.map(Set.init)))
            } else if defaultSLA == nil {
                defaultSLA = index
            }
        }
        for agreement in configuration.agreements {
            var mask: UInt64 = 0
            for reason in agreement.pauseOn {
                if reasonBits[reason] == nil, reasonBits.count < 64 {
                    reasonBits[reason] = 1 << UInt64(reasonBits.count)
                }
                mask |= reasonBits[reason] ?? 0
            }
            pauseMasks.append(mask)
            for level in 0..<levels {
                let targets = level < agreement.targets.count ? agreement.targets[level] : nil
                for target in [targets?.response, targets?.resolution] {
                    targetSeconds.append(target?.seconds ?? 0)
                    targetCalendars.append(UInt16(target?.calendar ?? agreement.calendar))
                }
            }
            if agreement.kind == .sla {
                let response = addTable(agreement, configuration, clock: .response, line: nil)
                let resolution = addTable(agreement, configuration, clock: .resolution, line: nil)
                slaTables.append((response, resolution))
            } else {
                slaTables.append((0, 0))
            }
        }
        for line in configuration.lines {
            lineTables.append(
                addTable(configuration.agreements[line.agreement], configuration, clock: .line, line: line.id))
        }
    }

    func pauseBit(_ reason: String) -> UInt64 { reasonBits[reason] ?? 0 }

    /// Same answer as ``Configuration/slaIndex(service:customer:)``, without walking the agreements.
    func slaIndex(service: String?, customer: String?) -> Int? {
        for matcher in matchers {
            if let services = matcher.services {
                guard let service, services.contains(service) else { continue }
            }
            if let customers = matcher.customers {
                guard let customer, customers.contains(customer) else { continue }
            }
            return matcher.agreement
        }
        return defaultSLA
    }

    @inline(__always)
    func target(agreement: Int, priority: Int, response: Bool) -> (seconds: Int64, calendar: UInt16) {
        let index = (agreement * levels + priority) * 2 + (response ? 0 : 1)
        return (targetSeconds[index], targetCalendars[index])
    }

    private mutating func addTable(
        _ agreement: Agreement,
        _ configuration: Configuration,
        clock: ClockKind,
        line: Int?
    ) -> UInt16 {
        var percents = Set(agreement.warn)
        percents.insert(100)
        var rulesAt: [Int: [Int]] = [:]
        for (index, rule) in configuration.hierarchicalRules.enumerated() where rule.clock == clock {
            if let ruleLine = rule.line, ruleLine != line { continue }
            percents.insert(rule.percent)
            rulesAt[rule.percent, default: []].append(index)
        }
        let start = UInt16(thresholds.count)
        for percent in percents.sorted() {
            let rulesStart = UInt16(ruleIndices.count)
            ruleIndices.append(contentsOf: rulesAt[percent] ?? [])
            thresholds.append(
                Threshold(
                    percent: Int32(percent), warn: agreement.warn.contains(percent), breach: percent == 100,
                    rulesStart: rulesStart, rulesEnd: UInt16(ruleIndices.count)))
        }
        tables.append(Table(start: start, end: UInt16(thresholds.count)))
        return UInt16(tables.count - 1)
    }
}
