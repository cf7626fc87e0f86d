import Foundation
import SLACore

/// `--only census`: the engine's count of open and breached tickets by line and priority, the pass a
/// `/metrics` scrape makes on the engine's queue, timed alone (no socket, no HTTP).
enum CensusBench {
    static func run(_ configuration: Configuration, tickets: Int, repetitions: Int) -> [Figure] {
        let start = Timestamp.parse("2026-03-02T09:00:00Z")!
        var machine = SLAMachine(configuration: configuration)
        machine.reserveCapacity(tickets: tickets)
        var records: [TimelineRecord] = []
        let levels = configuration.priorities.levels
        for n in 0..<tickets {
            let line = n % 10 < 7 ? nil : Int(2 + n % 3)
            try? machine.apply(
                TicketEvent(
                    ticket: "INC-\(n)",
                    change: .open(priority: .level(levels[n % levels.count]), service: nil, customer: nil, line: line)),
                at: start + Int64(n / 100), records: &records)
            records.removeAll(keepingCapacity: true)
        }
        // An hour after the last opening, the P1 responses (30 min) and some P2 ones (1 h) have breached:
        // about a tenth of the tickets, as in slad-bench's daemon runs.
        machine.fire(through: start + Int64(tickets / 100) + 3_600, records: &records)
        records.removeAll()
        var times: [Double] = []
        var census = machine.engine.census()
        let clock = ContinuousClock()
        for _ in 0..<max(repetitions, 1) * 20 {
            let began = clock.now
            census = machine.engine.census()
            times.append((clock.now - began).seconds)
        }
        times.sort()
        let breached = census.breached.reduce(0, +)
        return [
            Figure(
                name: "census of \(tickets) open (\(breached) breached), p50", value: times[times.count / 2] * 1000,
                unit: "ms", target: nil, higherIsBetter: false),
            Figure(
                name: "census of \(tickets) open (\(breached) breached), max", value: times.last! * 1000, unit: "ms",
                target: nil, higherIsBetter: false),
        ]
    }
}
