import Foundation
import SLACore
import Testing

@testable import SLAStore

/// Closed tickets leave the log in small transactions, recovery need not wait for them, and their
/// records go once older than the retention.
@Suite("State store trimming and retention")
struct TrimTests {
    /// `count` tickets opened and closed, each in a commit of its own, at `at`.
    private func closed(_ store: StateStore, _ prefix: String, _ count: Int, at seconds: Int64 = 0) throws {
        for n in 0..<count {
            try store.commit([
                CommitUnit(
                    log: [.event(storedEvent("\(prefix)-\(n)", .open(priority: .level("P1"), service: nil, customer: nil, line: nil), at: seconds))],
                    records: [dueRecord("\(prefix)-\(n)", at: seconds)]),
                CommitUnit(log: [.event(storedEvent("\(prefix)-\(n)", .close, at: seconds))]),
            ])
        }
    }

    @Test("closed tickets are forgotten a few a transaction, and commits go through between the transactions")
    func smallTransactions() throws {
        try withStore { store, _ in
            try closed(store, "C", 10)
            try store.commit([unit("OPEN")])
            var pauses = 0
            let forgotten = try store.forgetClosedTickets(tickets: 3) {
                pauses += 1
                // The writer is free here: a Submit's commit does not wait for the rest of the pass.
                try store.commit([unit("DURING-\(pauses)")])
            }
            #expect(forgotten == 20)
            #expect(pauses == 3)  // 3 + 3 + 3 + 1 tickets
            #expect(try Set(ticketsInLog(store)) == ["OPEN", "DURING-1", "DURING-2", "DURING-3"])
        }
    }

    @Test("recovery's read can leave each ticket's closed lives out, as forgetting them would")
    func openLivesOnly() throws {
        try withStore { store, _ in
            try closed(store, "C", 2)
            try store.commit([unit("OPEN")])
            // C-0 opened again: its new life is read, its first is not.
            try store.commit([unit("C-0", at: 5)])
            var read: [String] = []
            try store.readLog(openLivesOnly: true) { entry in
                if case .event(let event) = entry { read.append(event.event.ticket) }
            }
            #expect(read == ["OPEN", "C-0"])
            try store.forgetClosedTickets()
            #expect(try ticketsInLog(store) == read)
        }
    }

    @Test("records of forgotten tickets older than the cutoff go; open tickets and younger records keep theirs")
    func retention() throws {
        try withStore { store, _ in
            try closed(store, "OLD", 3, at: 0)
            try store.commit([unit("OPEN", at: 10)])
            try closed(store, "MID", 1, at: 20)
            try store.commit([unit("OPEN-2", at: 30)])
            try closed(store, "YOUNG", 2, at: 1_000)
            try store.forgetClosedTickets()
            let removed = try store.removeRecords(before: instant(500), rows: 2)
            #expect(removed == 4)  // the three OLD records and MID's
            #expect(try store.timeline(ticket: "OLD-1", limit: nil).isEmpty)
            #expect(try store.timeline(ticket: "OPEN", limit: nil).count == 1)
            #expect(try store.timeline(ticket: "YOUNG-0", limit: nil).count == 1)
            #expect(try store.counts().records == 4)  // OPEN, OPEN-2, YOUNG-0, YOUNG-1
        }
    }
}
