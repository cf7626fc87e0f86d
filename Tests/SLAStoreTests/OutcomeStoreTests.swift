import Foundation
import SLACore
import Testing

@testable import SLAStore

/// The report outcomes (migration v9-report-outcomes): written with their commit, read back in
/// order, and removed after retention.reports unless the ticket is open.
@Suite("State store report outcomes")
struct OutcomeStoreTests {
    private func outcome(_ ticket: String, at seconds: Int64, kind: Int = 6) -> StoredOutcome {
        StoredOutcome(
            at: instant(seconds), ticket: ticket, kind: kind, x: 1, y: -2, z: 3_000_000_000, agreement: "gold",
            priority: "P1", customer: "acme, \"the\" customer", service: "", line: 4)
    }

    @Test("outcomes come back in the order written, every column as it went in, and a failed commit keeps none")
    func roundTrip() throws {
        try withStore { store, _ in
            let first = [outcome("A", at: 10), outcome("B", at: 10, kind: 1)]
            try store.commit([CommitUnit(outcomes: first), CommitUnit(outcomes: [outcome("A", at: 20, kind: 7)])])
            var read: [StoredOutcome] = []
            try store.outcomes { read.append($0) }
            #expect(read == first + [outcome("A", at: 20, kind: 7)])
            // A bad row (kind 0 breaks the table's CHECK) rolls back the whole commit, its outcomes too.
            #expect(throws: StoreError.self) {
                try store.commit([
                    CommitUnit(outcomes: [outcome("C", at: 30)]), CommitUnit(outcomes: [outcome("C", at: 30, kind: 0)]),
                ])
            }
            #expect(try store.outcomeCount() == 3)
        }
    }

    @Test("outcomes of tickets not open older than the cutoff go; an open ticket's stay")
    func retention() throws {
        try withStore { store, _ in
            try store.commit([unit("OPEN", at: 0)])
            try store.commit([
                CommitUnit(outcomes: [outcome("OPEN", at: 0), outcome("GONE", at: 0), outcome("GONE", at: 5)])
            ])
            try store.commit([CommitUnit(outcomes: [outcome("YOUNG", at: 1_000)])])
            let removed = try store.removeOutcomes(before: instant(500), rows: 1)
            #expect(removed == 2)
            var left: [String] = []
            try store.outcomes { left.append($0.ticket) }
            #expect(left == ["OPEN", "YOUNG"])
        }
    }
}
