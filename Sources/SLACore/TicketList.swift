import SLAContract

/// One open ticket in a list, with its most urgent clock.
public struct TicketSummary: Sendable, Equatable {
    public var ticket: String
    public var priority: String
    public var line: Int
    public var sla: String
    public var isResolved: Bool
    /// A clock of the ticket's current run has passed its due instant.
    public var isBreached: Bool
    /// The running or breached clock with the earliest due instant; nil when none has one.
    public var clock: ClockID?
    public var agreement: String?
    public var due: Instant?
    /// Service seconds left until `due` as of the query; negative once past.
    public var remaining: Int64?
}

/// The engine's query for open tickets: the interface's `Filter`, one type from the wire to the engine.
public typealias TicketFilter = SlaInterface.Filter

extension ClockEngine {
    /// Open tickets matching `filter`, most urgent first: earliest due (so breached clocks, due in the
    /// past, come first and the longest overdue leads), tickets without a due instant last, then by id.
    ///
    /// One pass over the tables keeping the best `limit` in a bounded heap: no sort of every ticket.
    public func tickets(matching filter: TicketFilter, limit: Int, at now: Instant) -> [TicketSummary] {
        guard limit > 0 else { return [] }
        if filter.breached == true, filter.dueWithin == nil {
            return breachedTickets(matching: filter, limit: limit, at: now)
        }
        return scanTickets(matching: filter, limit: limit, at: now)
    }

    /// ``tickets(matching:limit:at:)`` by a pass over every ticket.
    func scanTickets(matching filter: TicketFilter, limit: Int, at now: Instant) -> [TicketSummary] {
        let agreementIndex = filter.agreement.map { configuration.agreementIndex(named: $0) ?? -1 }
        // Max-heap on (due, slot): the root is the least urgent kept, replaced when a more urgent one comes.
        var heap: [(due: Int64, slot: Int)] = []
        heap.reserveCapacity(min(limit, tickets.count))
        func worse(_ a: (due: Int64, slot: Int), _ b: (due: Int64, slot: Int)) -> Bool {
            a.due != b.due ? a.due > b.due : tickets[a.slot].id > tickets[b.slot].id
        }
        for s in tickets.indices where !tickets[s].id.isEmpty {
            let ticket = tickets[s]
            if let line = filter.line, Int(ticket.line) != line { continue }
            if let agreementIndex, Int(ticket.sla) != agreementIndex,
                Int(clocks[clockIndex(s, .line)].agreement) != agreementIndex
            {
                continue
            }
            let (due, breached) = urgency(s)
            if let wanted = filter.breached, wanted != breached { continue }
            if let within = filter.dueWithin {
                guard !breached, !ticket.isResolved, due != ClockState.never, due <= now.secondsSince1970 + within else {
                    continue
                }
            }
            let entry = (due: due, slot: s)
            if heap.count < limit {
                heap.append(entry)
                var child = heap.count - 1
                while child > 0, worse(heap[child], heap[(child - 1) / 2]) {
                    heap.swapAt(child, (child - 1) / 2)
                    child = (child - 1) / 2
                }
            } else if worse(heap[0], entry) {
                heap[0] = entry
                var parent = 0
                while true {
                    let left = parent * 2 + 1
                    guard left < heap.count else { break }
                    var largest = left
                    if left + 1 < heap.count, worse(heap[left + 1], heap[left]) { largest = left + 1 }
                    guard worse(heap[largest], heap[parent]) else { break }
                    heap.swapAt(parent, largest)
                    parent = largest
                }
            }
        }
        heap.sort { worse($1, $0) }
        return heap.map { summary(slot: $0.slot, at: now) }
    }

    /// Open tickets with a breached clock (resolved tickets not counted).
    public var breachedTicketCount: Int {
        var seen = Set<UInt32>()
        for entry in breachLog.entries where isLiveBreach(entry) { seen.insert(entry.slot) }
        return seen.count
    }

    /// The breached tickets, most overdue first, from the breach log rather than a pass over every
    /// ticket: its live entries are in due order, and a ticket's first live entry is its most
    /// overdue clock. Entries are taken until `limit` tickets are found and the due instant moves on,
    /// so ties are ordered by id as in the full pass.
    private func breachedTickets(matching filter: TicketFilter, limit: Int, at now: Instant) -> [TicketSummary] {
        let agreementIndex = filter.agreement.map { configuration.agreementIndex(named: $0) ?? -1 }
        var seen = Set<UInt32>()
        var found: [(due: Int64, slot: Int)] = []
        for entry in breachLog.entries where isLiveBreach(entry) {
            if found.count >= limit, entry.due > found[found.count - 1].due { break }
            guard seen.insert(entry.slot).inserted else { continue }
            let s = Int(entry.slot)
            if let line = filter.line, Int(tickets[s].line) != line { continue }
            if let agreementIndex, Int(tickets[s].sla) != agreementIndex,
                Int(clocks[clockIndex(s, .line)].agreement) != agreementIndex
            {
                continue
            }
            found.append((entry.due, s))
        }
        found.sort { $0.due != $1.due ? $0.due < $1.due : tickets[$0.slot].id < tickets[$1.slot].id }
        return found.prefix(limit).map { summary(slot: $0.slot, at: now) }
    }

    /// The earliest due instant among the ticket's running or breached clocks, and whether one is breached.
    private func urgency(_ s: Int) -> (due: Int64, breached: Bool) {
        var due = ClockState.never
        var breached = false
        guard !tickets[s].isResolved else { return (due, false) }
        for c in ClockSlot.allCases {
            let clock = clocks[clockIndex(s, c)]
            if clock.breached {
                breached = true
                due = min(due, clock.due)
            } else if clock.phase == .running {
                due = min(due, clock.due)
            }
        }
        return (due, breached)
    }

    private func summary(slot s: Int, at now: Instant) -> TicketSummary {
        let ticket = tickets[s]
        let (due, breached) = urgency(s)
        var summary = TicketSummary(
            ticket: ticket.id, priority: configuration.priorities.levels[Int(ticket.priority)], line: Int(ticket.line),
            sla: configuration.agreements[Int(ticket.sla)].name, isResolved: ticket.isResolved, isBreached: breached)
        guard due != ClockState.never,
            let c = ClockSlot.allCases.first(where: { c in
                let clock = clocks[clockIndex(s, c)]
                return clock.due == due && (clock.breached || clock.phase == .running)
            })
        else { return summary }
        let clock = clocks[clockIndex(s, c)]
        summary.clock = clockID(s, c)
        summary.agreement = configuration.agreements[Int(clock.agreement)].name
        summary.due = Instant(secondsSince1970: due)
        var counted = clock.counted
        if clock.phase == .running {
            counted += rules.calendars[Int(clock.calendar)].counted(
                from: Instant(secondsSince1970: clock.since), to: max(now, Instant(secondsSince1970: clock.since)))
        }
        summary.remaining = clock.target - counted
        return summary
    }
}
