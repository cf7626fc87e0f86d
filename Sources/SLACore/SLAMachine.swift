/// The engine together with its queue of armed deadlines: the whole SLA state of a service desk.
///
/// It keeps the driver contract of ``ClockEngine`` (deadlines before an event's instant fire first;
/// events at an instant go before deadlines at the same instant), so the offline replay and the
/// daemon only decide *when* to call it: the replay at simulated instants, the daemon when its one
/// timer wakes for ``nextDeadline``.
public struct SLAMachine: Sendable {
    public private(set) var engine: ClockEngine
    public private(set) var queue = DeadlineQueue()
    private var scratch = EngineOutput()

    public init(configuration: Configuration) {
        engine = ClockEngine(configuration: configuration)
    }

    /// The earliest armed deadline (possibly stale: firing it may emit nothing).
    public mutating func nextDeadline() -> Instant? { queue.first()?.instant }

    /// Applies an event at `now`, after firing every deadline before `now`.
    ///
    /// - Parameter records: receives the timeline records, in order.
    public mutating func apply(
        _ event: TicketEvent,
        at now: Instant,
        records: inout [TimelineRecord]
    ) throws(EngineError) {
        // The ticket's index bucket loads while the deadlines before the event fire.
        engine.prefetch(ticket: event.ticket)
        fire(before: now, records: &records)
        // The engine appends straight to the caller's array: swapped in, not copied.
        swap(&scratch.records, &records)
        defer {
            swap(&scratch.records, &records)
            queueDeadlines()
        }
        try engine.apply(event, at: now, into: &scratch)
    }

    /// Applies a batch of events at one instant, all or nothing, after firing every deadline before `now`.
    ///
    /// The batch is checked (``ClockEngine/firstRefusal(in:)``) after the deadlines fired, since a
    /// functional escalation can change what an event may do; on refusal no event was applied,
    /// though deadlines before `now` have fired (as they would have anyway).
    public mutating func apply(
        batch: [TicketEvent],
        at now: Instant,
        records: inout [TimelineRecord]
    ) throws(BatchRefusal) {
        fire(before: now, records: &records)
        if let refusal = engine.firstRefusal(in: batch) {
            throw BatchRefusal(index: refusal.index, error: refusal.error)
        }
        for (index, event) in batch.enumerated() {
            do {
                try apply(event, at: now, records: &records)
            } catch {
                // The check mirrors the engine; reaching this is a bug, and the batch is half applied.
                preconditionFailure("batch check passed event \(index) but the engine refused it: \(error)")
            }
        }
    }

    /// Fires every deadline at or before `instant`, in deadline order.
    public mutating func fire(through instant: Instant, records: inout [TimelineRecord]) {
        while let first = queue.first(), first.instant <= instant {
            prefetchAhead()
            fireFirst(records: &records)
        }
    }

    /// Fires every deadline strictly before `instant`.
    public mutating func fire(before instant: Instant, records: inout [TimelineRecord]) {
        while let first = queue.first(), first.instant < instant {
            prefetchAhead()
            fireFirst(records: &records)
        }
    }

    /// Puts a new configuration in charge of the open tickets at `now` (see
    /// ``ClockEngine/reconfigure(_:at:into:)``), after firing every deadline before `now`.
    /// On error nothing changed.
    public mutating func reconfigure(
        _ configuration: Configuration,
        at now: Instant,
        records: inout [TimelineRecord]
    ) throws(ReconfigurationError) {
        let problems = engine.reconfigurationProblems(configuration)
        guard problems.isEmpty else { throw ReconfigurationError(problems: problems) }
        fire(before: now, records: &records)
        swap(&scratch.records, &records)
        defer { swap(&scratch.records, &records) }
        try engine.reconfigure(configuration, at: now, into: &scratch)
        // Every ticket was armed afresh: the old entries are all stale.
        queue.removeAll()
        queueDeadlines()
    }

    /// Reserves room for this many tickets, so a large load does not grow the tables step by step.
    public mutating func reserveCapacity(tickets: Int) {
        engine.reserveCapacity(tickets)
    }

    /// How many deadlines ahead the ticket is fetched: enough to cover a cache miss while the
    /// deadlines in between fire.
    private static let prefetchDistance = 4

    @inline(__always)
    private func prefetchAhead() {
        if let slot = queue.slot(ahead: Self.prefetchDistance) { engine.prefetch(slot: slot) }
    }

    private mutating func fireFirst(records: inout [TimelineRecord]) {
        guard let deadline = queue.popFirst() else { return }
        swap(&scratch.records, &records)
        engine.fire(deadline, into: &scratch)
        swap(&scratch.records, &records)
        queueDeadlines()
    }

    private mutating func queueDeadlines() {
        for deadline in scratch.deadlines { queue.insert(deadline) }
        scratch.deadlines.removeAll(keepingCapacity: true)
        // Resolved and closed tickets leave stale entries behind. Dropping them in one sequential
        // pass once they are a fifth of the queue costs a few nanoseconds an entry; popping each
        // when it comes due costs a cache miss on its ticket.
        if queue.count > engine.armedTickets + engine.armedTickets / 4 + 1024 {
            let engine = self.engine
            queue.filter { engine.isLive($0) }
        }
    }
}

/// Why a batch was refused: the first event the engine would refuse. No event of the batch was applied.
public struct BatchRefusal: Error, Sendable, Equatable {
    /// The refused event's position in the batch, from 0.
    public var index: Int
    public var error: EngineError

    public init(index: Int, error: EngineError) {
        self.index = index
        self.error = error
    }
}
