/// The breaches in firing order: one entry per breached clock, with the due instant it breached at.
///
/// Deadlines fire in due order, and a breach that becomes known late (a shorter target, a recovery)
/// is due at the instant it fires, so the entries stay ordered by due instant. An entry is live
/// while its clock is still breached with that due instant on an open, unresolved ticket.
struct BreachLog: Sendable {
    struct Entry: Sendable {
        var due: Int64
        var slot: UInt32
        var clock: ClockSlot
    }

    private(set) var entries: ContiguousArray<Entry> = []
    /// Size at which stale entries are dropped next: twice the live ones after the last pass, so
    /// dropping costs a constant per entry.
    private var compactAt = 1024

    var needsCompaction: Bool { entries.count >= compactAt }

    mutating func append(_ entry: Entry) { entries.append(entry) }

    mutating func replace(with live: ContiguousArray<Entry>) {
        entries = live
        compactAt = max(1024, live.count * 2)
    }
}

extension ClockEngine {
    /// Records that clock `c` of the ticket in `slot` has just breached.
    mutating func noteBreach(_ slot: UInt32, _ c: ClockSlot) {
        breachLog.append(BreachLog.Entry(due: clocks[clockIndex(Int(slot), c)].due, slot: slot, clock: c))
        if breachLog.needsCompaction {
            // Filtered into a new array while the engine is only read, then swapped in: a copy of
            // the engine held across the append would make every append copy the log.
            var live = ContiguousArray<BreachLog.Entry>()
            for entry in breachLog.entries where isLiveBreach(entry) { live.append(entry) }
            breachLog.replace(with: live)
        }
    }

    func isLiveBreach(_ entry: BreachLog.Entry) -> Bool {
        let s = Int(entry.slot)
        guard s < tickets.count, !tickets[s].id.isEmpty, !tickets[s].isResolved else { return false }
        let clock = clocks[clockIndex(s, entry.clock)]
        return clock.breached && clock.due == entry.due
    }
}
