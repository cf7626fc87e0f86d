/// Open tickets counted by the line that holds them and their priority, for the metrics gauges.
public struct TicketCensus: Sendable, Equatable {
    /// The priority levels, most urgent first, as the configuration names them.
    public var levels: [String]
    /// Open (not closed) tickets at `[(line - 1) * levels.count + priority]`.
    public var open: [Int]
    /// Open, unresolved tickets with a breached clock, indexed as `open`.
    public var breached: [Int]

    /// Open tickets of `line` (1 to 4) and level index `priority`.
    public func open(line: Int, priority: Int) -> Int { open[(line - 1) * levels.count + priority] }
    public func breached(line: Int, priority: Int) -> Int { breached[(line - 1) * levels.count + priority] }
}

extension ClockEngine {
    /// Counts the open tickets by line and priority: one pass over the ticket table, and the breach
    /// log's live entries for the breached ones (a ticket counted once however many clocks breached).
    ///
    /// Read when the metrics are scraped, not kept up to date per event: the hot path stays as it is.
    public func census() -> TicketCensus {
        let levels = configuration.priorities.levels
        let width = levels.count
        var open = [Int](repeating: 0, count: 4 * width)
        var breached = [Int](repeating: 0, count: 4 * width)
        tickets.withUnsafeBufferPointer { table in
            for ticket in table where !ticket.id.isEmpty {
                open[(Int(ticket.line) - 1) * width + Int(ticket.priority)] += 1
            }
        }
        var counted = [UInt64](repeating: 0, count: (tickets.count + 63) / 64)
        for entry in breachLog.entries where isLiveBreach(entry) {
            let s = Int(entry.slot)
            let bit: UInt64 = 1 << UInt64(s % 64)
            guard counted[s / 64] & bit == 0 else { continue }
            counted[s / 64] |= bit
            breached[(Int(tickets[s].line) - 1) * width + Int(tickets[s].priority)] += 1
        }
        return TicketCensus(levels: levels, open: open, breached: breached)
    }
}
