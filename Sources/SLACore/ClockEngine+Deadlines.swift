import CPrefetch
/// Deadlines: what fires when a ticket's armed instant comes, and how the next one is queued.
extension ClockEngine {
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
            guard clockIndex(s, .line) < clocks.count else { return }
            let first = UnsafeRawPointer(clocks.baseAddress! + clockIndex(s, .response))
            slad_prefetch(first)
            slad_prefetch(first + 64)
            slad_prefetch(first + 3 * MemoryLayout<ClockState>.stride - 1)
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
        tickets[s].armed = ClockState.never
        armedTickets -= 1
        for c in ClockSlot.allCases {
            while clocks[clockIndex(s, c)].phase == .running, clocks[clockIndex(s, c)].armed <= t {
                fireThreshold(deadline.slot, c, at: t, &out)
            }
        }
        rearm(deadline.slot, &out)
    }

    /// Fires the clock's next threshold at `t` and arms the one after.
    private mutating func fireThreshold(_ slot: UInt32, _ c: ClockSlot, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        let now = Instant(secondsSince1970: t)
        let clock = clocks[clockIndex(s, c)]
        let entry = rules.thresholds[Int(clock.next)]
        clocks[clockIndex(s, c)].next += 1
        clocks[clockIndex(s, c)].armed = ClockState.never
        // The threshold was armed at the instant its share was reached (or, if already passed, at
        // `since`), so the counted time at `t` is known without a walk: move `since` up to `t`, and
        // the next walk starts here rather than where the clock started, maybe days ago.
        let reached = (clock.target * Int64(entry.percent) + 99) / 100
        clocks[clockIndex(s, c)].counted = max(reached, clock.counted)
        clocks[clockIndex(s, c)].since = t
        let id = tickets[s].id
        let clockID = self.clockID(s, c)
        let agreement = rules.agreementNames[Int(clock.agreement)]
        if entry.warn {
            out.records.append(
                TimelineRecord(
                    at: now, ticket: id, kind: .warning(clockID, agreement: agreement, percent: Int(entry.percent))))
        }
        if entry.breach && !clock.breached {
            clocks[clockIndex(s, c)].breached = true
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
        if entry.breach, c == .line, tickets[s].line < 4 {
            let from = Int(tickets[s].line)
            clocks[clockIndex(s, .line)].phase = .stopped
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
            clocks[clockIndex(s, .response)].armed, min(clocks[clockIndex(s, .resolution)].armed, clocks[clockIndex(s, .line)].armed))
        if earliest == ClockState.never {
            // Nothing left to wait for: the queued entry, if any, becomes stale and can be dropped.
            if tickets[s].armed != ClockState.never { armedTickets -= 1 }
            tickets[s].armed = ClockState.never
            return
        }
        guard earliest < tickets[s].armed else { return }
        if tickets[s].armed == ClockState.never { armedTickets += 1 }
        tickets[s].armed = earliest
        out.deadlines.append(Deadline(instant: Instant(secondsSince1970: earliest), slot: slot))
    }
}
