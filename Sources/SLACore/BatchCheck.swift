extension ClockEngine {
    /// What the engine's refusals depend on, for one ticket, while a batch is checked.
    private struct Standing {
        var responded: Bool
        var resolved: Bool
        var paused: Bool
        var line: Int
    }

    /// The first event of `events` that ``apply(_:at:into:)`` would refuse if they were applied in
    /// order, and why; nil when every one would be accepted.
    ///
    /// The control interface applies a batch all or nothing. Undoing half a batch would need a
    /// copy of the whole engine, so the batch is checked first against a small overlay of the
    /// tickets it touches. Refusals depend only on the facts in `Standing`, never on time, so a
    /// batch that passes here is accepted in full at any instant.
    public func firstRefusal(in events: [TicketEvent]) -> (index: Int, error: EngineError)? {
        // Keyed by the id's bytes, as the engine's index is: a `String` key would join canonically
        // equivalent ids the engine keeps apart, pass a batch the engine then refuses halfway.
        var overlay: [[UInt8]: Standing?] = [:]
        for (index, event) in events.enumerated() {
            let key = Array(event.ticket.utf8)
            let current: Standing?
            if let known = overlay[key] {
                current = known
            } else if let slot = slot(of: event.ticket) {
                let s = Int(slot)
                current = Standing(
                    responded: clocks[clockIndex(s, .response)].phase == .stopped, resolved: tickets[s].isResolved,
                    paused: tickets[s].isPaused, line: Int(tickets[s].line))
            } else {
                current = nil
            }
            do {
                overlay[key] = .some(try standing(after: event, from: current))
            } catch {
                return (index, error)
            }
        }
        return nil
    }

    /// The ticket's standing after `event`, or the engine's refusal; mirrors ``apply(_:at:into:)``.
    private func standing(after event: TicketEvent, from current: Standing?) throws(EngineError) -> Standing? {
        if case .open(let priority, let service, let customer, let line) = event.change {
            guard current == nil else { throw .ticketAlreadyOpen(event.ticket) }
            _ = try priorityLevel(priority)
            guard rules.slaIndex(service: service, customer: customer) != nil else {
                throw .noAgreement(service: service, customer: customer)
            }
            let lineNumber = line ?? 1
            guard (1...4).contains(lineNumber) else { throw .invalidLine(lineNumber) }
            return Standing(responded: false, resolved: false, paused: false, line: lineNumber)
        }
        guard var state = current else { throw .unknownTicket(event.ticket) }
        func refuse(_ reason: String) -> EngineError {
            .invalidTransition(ticket: event.ticket, event: event.change.name, reason: reason)
        }
        switch event.change {
        case .open:
            preconditionFailure("handled above")
        case .respond:
            guard !state.responded else {
                throw refuse(state.resolved ? "it is resolved" : "it has been responded to already")
            }
            state.responded = true
        case .assign(let line):
            guard (1...4).contains(line) else { throw .invalidLine(line) }
            guard !state.resolved else { throw refuse("it is resolved; reopen it first") }
            guard line != state.line else { throw refuse("it is at line \(line) already") }
            state.line = line
        case .pause:
            guard !state.resolved else { throw refuse("it is resolved") }
            state.paused = true
        case .resume:
            guard state.paused else { throw refuse("it is not paused") }
            state.paused = false
        case .reprioritize(let choice):
            _ = try priorityLevel(choice)
        case .resolve:
            guard !state.resolved else { throw refuse("it is resolved already") }
            state.resolved = true
            state.paused = false
            state.responded = true
        case .reopen:
            guard state.resolved else { throw refuse("it is not resolved") }
            state.resolved = false
        case .close:
            return nil
        }
        return state
    }
}
