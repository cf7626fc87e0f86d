import SLATestKit
import Testing

@testable import SLACore

@Suite("Listing tickets by urgency")
struct TicketListTests {
    /// Three gold tickets (P1 response 15m, P2 30m, P3 60m on office hours), one resolved, one paused.
    static func desk() throws -> Desk {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(0, "INC-2", .open(priority: .level("P2"), service: "mail", customer: "acme", line: 2))
        try desk.send(0, "INC-3", .open(priority: .level("P3"), service: "mail", customer: "acme", line: nil))
        try desk.send(0, "INC-4", goldP1)
        try desk.send(1, "INC-4", .resolve)
        try desk.send(0, "INC-5", .open(priority: .level("P2"), service: "mail", customer: "acme", line: nil))
        try desk.send(2, "INC-5", .pause(reason: "waiting-customer"))
        desk.run(to: 20)
        return desk
    }

    func ids(_ desk: Desk, _ filter: TicketFilter = TicketFilter(), limit: Int = 10) -> [String] {
        desk.machine.engine.tickets(matching: filter, limit: limit, at: at(20)).map(\.ticket)
    }

    @Test("most urgent first: breached (longest overdue first), then earliest due, then no due, resolved last")
    func order() throws {
        let desk = try Self.desk()
        // INC-1's desk OLA (15m) breached at 15 and escalated it; its response clock breached at 15 too.
        // INC-5 waits for the customer: gold's clocks stop, but the desk OLA does not honour that
        // reason, so its line clock is due at 30 like INC-2's response; equal instants go by id.
        #expect(ids(desk) == ["INC-1", "INC-2", "INC-5", "INC-3", "INC-4"])
        let first = try #require(desk.machine.engine.tickets(matching: TicketFilter(), limit: 1, at: at(20)).first)
        #expect(first.isBreached)
        #expect(first.clock == .response)
        #expect(first.due == at(15))
        #expect(first.remaining == -5 * 60)
    }

    @Test("the limit keeps the most urgent ones")
    func limit() throws {
        let desk = try Self.desk()
        #expect(ids(desk, limit: 2) == ["INC-1", "INC-2"])
        #expect(ids(desk, limit: 0).isEmpty)
    }

    @Test("filters: breached, at risk within a duration, line, agreement")
    func filters() throws {
        let desk = try Self.desk()
        #expect(ids(desk, TicketFilter(breached: true)) == ["INC-1"])
        #expect(ids(desk, TicketFilter(breached: false)) == ["INC-2", "INC-5", "INC-3", "INC-4"])
        // INC-2: P2 response due at 30, 10 minutes away; INC-3 P3 response due at 60 (office hours from 09:00).
        #expect(ids(desk, TicketFilter(dueWithin: 10 * 60)) == ["INC-2", "INC-5"])
        #expect(ids(desk, TicketFilter(dueWithin: 40 * 60)) == ["INC-2", "INC-5", "INC-3"])
        #expect(ids(desk, TicketFilter(line: 2)) == ["INC-1", "INC-2"])
        #expect(ids(desk, TicketFilter(agreement: "ops-ola")) == ["INC-1", "INC-2"])
        #expect(ids(desk, TicketFilter(agreement: "no-such")).isEmpty)
        #expect(desk.machine.engine.breachedTicketCount == 1)
    }
}

@Suite("Listing breached tickets from the breach log")
struct BreachLogTests {
    @Test("the breach log lists exactly what a pass over every ticket finds", arguments: 0..<12)
    func sameAsScan(seed: UInt64) throws {
        var random = SplitMix(seed: seed)
        var desk = Desk()
        var minute: Int64 = 0
        for _ in 0..<600 {
            let ticket = "INC-\(random.next(60))"
            let change = BatchCheckTests.randomChange(&random)
            try? desk.send(minute, ticket, change)
            minute += Int64(random.next(3))
            desk.run(to: minute)
            if random.next(20) == 0 {
                let engine = desk.machine.engine
                for filter in [TicketFilter(breached: true), TicketFilter(breached: true, line: 2),
                               TicketFilter(breached: true, agreement: "gold")] {
                    for limit in [1, 5, 1000] {
                        let fast = engine.tickets(matching: filter, limit: limit, at: at(minute))
                        let scanned = engine.scanTickets(matching: filter, limit: limit, at: at(minute))
                        #expect(fast == scanned, "seed \(seed) minute \(minute) \(filter) limit \(limit)")
                    }
                }
                var scannedCount = 0
                for summary in engine.scanTickets(matching: TicketFilter(breached: true), limit: 10_000, at: at(minute))
                where summary.isBreached { scannedCount += 1 }
                #expect(engine.breachedTicketCount == scannedCount)
            }
        }
    }
}
