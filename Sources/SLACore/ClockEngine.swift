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
    /// Each ticket's response, resolution and line clock at `clockIndex(slot, _)`. Apart from the
    /// tickets so that the hot path updates a clock in place: a clock is plain data, a ticket is not.
    var clocks: ContiguousArray<ClockState> = []
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
        clocks.reserveCapacity(n * ClockSlot.count)
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
            guard clocks[clockIndex(s, .response)].phase != .stopped else {
                throw refuse(resolved ? "it is resolved" : "it has been responded to already")
            }
            stop(slot, .response, at: t, &out)
        case .assign(let line):
            guard (1...4).contains(line) else { throw .invalidLine(line) }
            guard !resolved else { throw refuse("it is resolved; reopen it first") }
            let from = Int(tickets[s].line)
            guard line != from else { throw refuse("it is at line \(line) already") }
            stop(slot, .line, at: t, &out)
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
            for c in ClockSlot.allCases { applyPause(slot, c, at: t, &out) }
        case .resume:
            guard tickets[s].isPaused else { throw refuse("it is not paused") }
            tickets[s].isPaused = false
            pauseReasons[slot] = nil
            tickets[s].pauseBit = 0
            for c in ClockSlot.allCases { applyPause(slot, c, at: t, &out) }
        case .reprioritize(let choice):
            let level = try priorityLevel(choice)
            guard level != Int(tickets[s].priority) else { return }
            tickets[s].priority = UInt8(level)
            for c in ClockSlot.allCases where clocks[clockIndex(s, c)].phase != .stopped {
                rebase(slot, c, at: t)
                setTarget(slot, c)
                if clocks[clockIndex(s, c)].phase == .running {
                    refreshDueAndArm(slot, c, &out)
                }
            }
        case .resolve:
            guard !resolved else { throw refuse("it is resolved already") }
            for c in ClockSlot.allCases { stop(slot, c, at: t, &out) }
            tickets[s].isResolved = true
            tickets[s].isPaused = false
            pauseReasons[slot] = nil
            tickets[s].pauseBit = 0
        case .reopen:
            guard resolved else { throw refuse("it is not resolved") }
            tickets[s].isResolved = false
            // Same clock run: counted time and fired thresholds are kept. The priority may have
            // changed while the ticket was resolved, so the target is taken afresh.
            clocks[clockIndex(s, .resolution)].phase = .running
            clocks[clockIndex(s, .resolution)].since = t
            setTarget(slot, .resolution)
            refreshDueAndArm(slot, .resolution, &out)
            // The line that gets the ticket back gets a fresh OLA run.
            startLineClock(slot, line: Int(tickets[s].line), at: t, &out)
        case .close:
            for c in ClockSlot.allCases { stop(slot, c, at: t, &out) }
            do {
                let current = tickets
                slots.remove(event.ticket) { current[Int($0)].id }
            }
            if tickets[s].armed != ClockState.never { armedTickets -= 1 }
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
        let response = ClockState(agreement: UInt16(sla))
        let resolution = ClockState(agreement: UInt16(sla))
        let slot: UInt32
        if let free = freeSlots.popLast() {
            slot = free
            tickets[Int(slot)] = ticket
            clocks[clockIndex(Int(slot), .response)] = response
            clocks[clockIndex(Int(slot), .resolution)] = resolution
        } else {
            slot = UInt32(tickets.count)
            tickets.append(ticket)
            clocks.append(response)
            clocks.append(resolution)
            clocks.append(ClockState.vacant)
        }
        slots.fill(bucket, with: slot)
        start(slot, .response, at: t, &out)
        start(slot, .resolution, at: t, &out)
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
}
