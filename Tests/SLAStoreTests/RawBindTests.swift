import Foundation
import GRDB
import SLACore
import Testing

@testable import SLAStore

/// The hot paths bind rows onto SQLite's handles by index (`RawBind`) and read events back by index
/// (`EventRow(sqliteStatement:)`), past GRDB's column mapping: a column shifted by one there would
/// store a service as a customer without any error. These tests pin both against GRDB's own
/// `insert` and `fetch`, which go by column name.
@Suite("State store raw binding")
struct RawBindTests {
    /// Rows that between them have every column NULL and not NULL, empty text, and text beyond ASCII.
    static let events: [EventRow] = [
        EventRow(
            StoredEvent(
                seq: 1, at: Instant(secondsSince1970: 1_772_438_400), requestedAt: Instant(secondsSince1970: -5),
                received: Instant(secondsSince1970: 1_772_438_401), actor: UInt32.max,
                event: TicketEvent(
                    ticket: "INC-ü/\"1\"", change: .open(priority: .level("P1"), service: "mail", customer: "", line: 2))),
            prev: nil),
        EventRow(
            StoredEvent(
                seq: 2, at: Instant(secondsSince1970: 0), received: Instant(secondsSince1970: 7), actor: 0,
                event: TicketEvent(
                    ticket: "INC-2",
                    change: .open(
                        priority: .matrix(impact: "high", urgency: "low"), service: nil, customer: "Ünïcode 漢字",
                        line: nil))),
            prev: 1),
        EventRow(
            StoredEvent(
                seq: 3, at: Instant(secondsSince1970: Int64(Int32.max) + 1), requestedAt: Instant(secondsSince1970: 9),
                received: Instant(secondsSince1970: 8), actor: 1000,
                event: TicketEvent(ticket: "INC-2", change: .pause(reason: "waiting-customer"))),
            prev: 2),
    ]

    /// Each row written by `RawBind` and by GRDB, then read by index and by GRDB: four equal rows.
    @Test("an event row bound by index reads back the same as one GRDB inserted, read either way", arguments: events)
    func eventRow(_ row: EventRow) throws {
        try withStore { store, _ in
            var byGRDB = row
            byGRDB.seq = row.seq + 100
            try store.database.write { db in
                let insert = try db.makeStatement(
                    sql: "INSERT INTO event (\(EventRow.columns)) VALUES (\(EventRow.placeholders))")
                insert.setUncheckedArguments(StatementArguments())
                row.bind(to: insert.sqliteStatement)
                try insert.execute()
                try byGRDB.insert(db)
            }
            let (raw, grdb) = try store.database.read { db in
                let select = try db.makeStatement(
                    sql: "SELECT \(EventRow.columns) FROM event WHERE seq IN (?, ?) ORDER BY seq")
                select.setUncheckedArguments([row.seq, byGRDB.seq])
                var raw: [EventRow] = []
                let rows = try Row.fetchCursor(select)
                while try rows.next() != nil {
                    raw.append(try #require(EventRow(sqliteStatement: select.sqliteStatement)))
                }
                let grdb = try EventRow.filter(keys: [row.seq, byGRDB.seq]).order(Column("seq")).fetchAll(db)
                return (raw, grdb)
            }
            #expect(raw == [row, byGRDB])
            #expect(grdb == [row, byGRDB])
        }
    }

    static let records: [RecordRow] = {
        let due = TimelineRecord.Kind.due(.resolution, agreement: "gold", due: Instant(secondsSince1970: 3600))
        let first = RecordRow(
            StoredRecord(record: TimelineRecord(at: Instant(secondsSince1970: 60), ticket: "INC-1", kind: due)), event: 1)
        var run = RecordRow(
            StoredRecord(
                record: TimelineRecord(
                    at: Instant(secondsSince1970: -1), ticket: "漢字", kind: .breach(.response, agreement: "gold")),
                late: true),
            event: nil)
        run.json += "\n" + run.json
        return [first, run]
    }()

    @Test("a record row bound by index reads back the same as one GRDB inserted", arguments: records)
    func recordRow(_ row: RecordRow) throws {
        try withStore { store, _ in
            try store.database.write { db in
                let insert = try db.makeStatement(sql: "INSERT INTO record (\(RecordRow.columns)) VALUES (?, ?, ?, ?, ?, ?)")
                insert.setUncheckedArguments(StatementArguments())
                row.bind(to: insert.sqliteStatement)
                try insert.execute()
                try row.insert(db)
            }
            let stored = try store.database.read { try RecordRow.order(Column("seq")).fetchAll($0) }
            var expected = [row, row]
            expected[0].seq = 1
            expected[1].seq = 2
            #expect(stored == expected)
        }
    }
}
