import SLATestKit
import Testing

@testable import SLACore

@Suite("Checking a batch before applying it")
struct BatchCheckTests {
    static func randomChange(_ random: inout SplitMix) -> TicketChange {
        let priorities: [PriorityChoice] = [
            .level("P1"), .level("P4"), .level("P9"), .matrix(impact: "high", urgency: "low"),
            .matrix(impact: "none", urgency: "low"),
        ]
        switch random.next(11) {
        case 0, 1:
            return .open(
                priority: priorities[random.next(priorities.count)], service: ["mail", nil][random.next(2)],
                customer: "acme", line: [nil, 1, 3, 5][random.next(4)])
        case 2: return .respond
        case 3: return .assign(line: random.next(6))
        case 4: return .pause(reason: ["waiting-customer", "lunch"][random.next(2)])
        case 5: return .resume
        case 6: return .reprioritize(priorities[random.next(priorities.count)])
        case 7: return .resolve
        case 8: return .reopen
        case 9: return .close
        default: return .respond
        }
    }

    @Test("the check refuses exactly the event the engine would refuse first, for the same reason", arguments: 0..<40)
    func agreesWithTheEngine(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var machine = SLAMachine(configuration: testConfiguration())
        var records: [TimelineRecord] = []
        var minute: Int64 = 0
        for _ in 0..<30 {
            let batch = (0..<(1 + random.next(6))).map { _ in
                TicketEvent(ticket: "INC-\(random.next(3))", change: Self.randomChange(&random))
            }
            // As the daemon does: deadlines before the batch's instant fire before it is checked.
            machine.fire(before: at(minute), records: &records)
            let predicted = machine.engine.firstRefusal(in: batch)
            var trial = machine
            var actual: (index: Int, error: EngineError)?
            for (index, event) in batch.enumerated() {
                do {
                    try trial.apply(event, at: at(minute), records: &records)
                } catch {
                    actual = (index, error)
                    break
                }
            }
            #expect(predicted?.index == actual?.index, "seed \(seed), batch \(batch)")
            #expect(predicted?.error == actual?.error, "seed \(seed), batch \(batch)")
            if actual == nil { machine = trial }
            minute += Int64(random.next(90))
        }
    }

    @Test("a refused batch applies none of its events")
    func allOrNothing() throws {
        var machine = SLAMachine(configuration: testConfiguration())
        var records: [TimelineRecord] = []
        let batch = [
            TicketEvent(ticket: "INC-1", change: goldP1),
            TicketEvent(ticket: "INC-2", change: goldP1),
            TicketEvent(ticket: "INC-1", change: .resume),
        ]
        #expect(throws: BatchRefusal(index: 2, error: .invalidTransition(
            ticket: "INC-1", event: "resume", reason: "it is not paused"))) {
            try machine.apply(batch: batch, at: at(0), records: &records)
        }
        #expect(machine.engine.openTicketCount == 0)
        #expect(records.isEmpty)
        try machine.apply(batch: Array(batch.prefix(2)), at: at(0), records: &records)
        #expect(machine.engine.openTicketCount == 2)
    }

    @Test("events of one batch see the tickets the batch opened and closed before them")
    func batchOrder() {
        let engine = ClockEngine(configuration: testConfiguration())
        let opened = [
            TicketEvent(ticket: "INC-1", change: goldP1),
            TicketEvent(ticket: "INC-1", change: .respond),
            TicketEvent(ticket: "INC-1", change: .close),
        ]
        #expect(engine.firstRefusal(in: opened) == nil)
        let twice = opened + [TicketEvent(ticket: "INC-1", change: .resolve)]
        #expect(engine.firstRefusal(in: twice)?.index == 3)
        #expect(engine.firstRefusal(in: twice)?.error == .unknownTicket("INC-1"))
    }
}
