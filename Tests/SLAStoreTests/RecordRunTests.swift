import Foundation
import GRDB
import SLACore
import Testing

@testable import SLAStore

/// Runs of records in one row (v5): what a row holds is the store's business; timelines and counts
/// must not show it.
@Suite("State store record runs")
struct RecordRunTests {
    private func rows(_ store: StateStore) throws -> [(ticket: String, kind: String, late: Bool, lines: Int)] {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT ticket, kind, late, json FROM record ORDER BY seq").map { row in
                let json: String = row["json"]
                return (row["ticket"], row["kind"], row["late"], json.split(separator: "\n").count)
            }
        }
    }

    private func record(
        _ ticket: String, _ kind: TimelineRecord.Kind, at seconds: Int64 = 0, late: Bool = false
    ) -> StoredRecord {
        StoredRecord(record: TimelineRecord(at: instant(seconds), ticket: ticket, kind: kind), late: late)
    }

    @Test("an open's three due records take one row and come back as three, a limit counting records")
    func openRun() throws {
        try withStore { store, _ in
            let due = ["response", "resolution", "line"].enumerated().map { index, _ in
                record("INC-1", .due(.response, agreement: "gold", due: instant(Int64(index + 1) * 60)))
            }
            try store.commit([CommitUnit(log: [.event(storedEvent("INC-1", at: 0))], records: due)])
            #expect(try rows(store).map(\.lines) == [3])
            #expect(try store.timeline(ticket: "INC-1", limit: nil) == due.map(\.line))
            #expect(try store.timeline(ticket: "INC-1", limit: 2) == Array(due.map(\.line).suffix(2)))
            #expect(try store.timeline(ticket: "INC-1", limit: 0) == [])
            #expect(try store.counts().records == 3)
        }
    }

    @Test("records that differ in ticket, kind, lateness, event or instant take rows of their own")
    func runBreaks() throws {
        try withStore { store, _ in
            let due = TimelineRecord.Kind.due(.resolution, agreement: "gold", due: instant(3600))
            let records = [
                record("A", due), record("A", due),  // one run
                record("A", .breach(.response, agreement: "gold")),  // another kind
                record("B", due),  // another ticket, with no event in the unit
                record("A", due, late: true),  // late
                record("A", due, at: 5),  // another instant
            ]
            try store.commit([CommitUnit(log: [.event(storedEvent("A"))], records: records)])
            let stored = try rows(store)
            #expect(stored.map(\.lines) == [2, 1, 1, 1, 1])
            #expect(stored.map(\.ticket) == ["A", "A", "B", "A", "A"])
            let timelineA = records.filter { $0.record.ticket == "A" }.map(\.line)
            #expect(try store.timeline(ticket: "A", limit: nil) == timelineA)
            #expect(try store.timeline(ticket: "A", limit: 4) == Array(timelineA.suffix(4)))
            #expect(try store.timeline(ticket: "B", limit: nil) == [records[3].line])
            #expect(try store.counts().records == records.count)
            // Forgetting A's closed life keeps its records, runs and all.
            try store.commit([CommitUnit(log: [.event(storedEvent("A", .close, at: 10))])])
            try store.forgetClosedTickets()
            #expect(try store.timeline(ticket: "A", limit: nil) == timelineA)
        }
    }
}
