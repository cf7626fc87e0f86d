/// Queries: read-only views of one ticket.
extension ClockEngine {
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
        for c in ClockSlot.allCases {
            let clock = clocks[clockIndex(s, c)]
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
                    due: clock.due == ClockState.never ? nil : Instant(secondsSince1970: clock.due)))
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
