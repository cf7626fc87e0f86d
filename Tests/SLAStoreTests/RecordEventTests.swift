import Foundation
import GRDB
import SLACore
import SLAWire
import Testing

@testable import SLAStore

/// Records tied to the event that emitted them (migration v3-record-event): a timeline finds them
/// through the ticket's events, and the others by ticket.
@Suite("Records and their events")
struct RecordEventTests {
    /// A breach record for `ticket`, as a timer firing would emit it.
    static func breach(_ ticket: String, at seconds: Int64) -> StoredRecord {
        StoredRecord(
            record: TimelineRecord(at: instant(seconds), ticket: ticket, kind: .breach(.response, agreement: "gold")))
    }

    static func json(_ records: [StoredRecord]) -> [String] {
        records.map { RecordFormat.encode($0.record, late: $0.late) }
    }

    /// The `event` column of every record, in record order.
    static func links(_ store: StateStore) throws -> [Int64?] {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "SELECT event FROM record ORDER BY seq").map { $0[0] as Int64? }
        }
    }

    @Test("a timeline interleaves the records of a ticket's events with its timer records, by seq, with a limit")
    func mixed() throws {
        try withStore { store, _ in
            let records = [
                dueRecord("A", at: 0), Self.breach("A", at: 10), dueRecord("A", at: 20), Self.breach("A", at: 30),
                Self.breach("A", at: 40),
            ]
            try store.commit([
                CommitUnit(log: [.event(storedEvent("A", at: 0))], records: [records[0]]),
                CommitUnit(records: [records[1], Self.breach("B", at: 10)]),
            ])
            try store.commit([CommitUnit(log: [.event(storedEvent("A", at: 20))], records: [records[2]])])
            try store.commit([CommitUnit(records: [records[3]]), CommitUnit(records: [records[4]])])

            // Both halves of the query are at work: two records hang on events, three do not.
            #expect(try Self.links(store) == [1, nil, nil, 2, nil, nil])
            let expected = Self.json(records)
            #expect(try store.timeline(ticket: "A", limit: nil) == expected)
            #expect(try store.timeline(ticket: "A", limit: 4) == Array(expected.suffix(4)))
            #expect(try store.timeline(ticket: "A", limit: 3) == Array(expected.suffix(3)))
            #expect(try store.timeline(ticket: "A", limit: 0).isEmpty)
            #expect(try store.timeline(ticket: "B", limit: nil) == Self.json([Self.breach("B", at: 10)]))
        }
    }

    @Test("a record hangs on the unit's last event of its own ticket; another ticket's record on none")
    func otherTicket() throws {
        try withStore { store, _ in
            let fired = Self.breach("B", at: 0)
            try store.commit([
                CommitUnit(log: [.event(storedEvent("A", at: 1))], records: [fired, dueRecord("A", at: 1)]),
                CommitUnit(
                    log: [
                        .event(storedEvent("A", at: 2)), .event(storedEvent("C", at: 2)),
                        .event(storedEvent("A", at: 2)),
                    ],
                    records: [dueRecord("A", at: 2), dueRecord("C", at: 2), dueRecord("D", at: 2)]),
            ])
            #expect(try Self.links(store) == [nil, 1, 4, 3, nil])
            #expect(try store.timeline(ticket: "B", limit: nil) == Self.json([fired]))
            let timelineA = Self.json([dueRecord("A", at: 1), dueRecord("A", at: 2)])
            #expect(try store.timeline(ticket: "A", limit: nil) == timelineA)
            #expect(try store.timeline(ticket: "C", limit: nil) == Self.json([dueRecord("C", at: 2)]))
            #expect(try store.timeline(ticket: "D", limit: nil) == Self.json([dueRecord("D", at: 2)]))
        }
    }

    @Test("forgetting a closed ticket's events leaves its timeline as it was")
    func forgetKeepsTimeline() throws {
        try withStore { store, _ in
            let open = TicketChange.open(priority: .level("P2"), service: nil, customer: nil, line: nil)
            try store.commit([
                CommitUnit(log: [.event(storedEvent("A", open))], records: [dueRecord("A", at: 0)]),
                CommitUnit(log: [.event(storedEvent("B", open))], records: [dueRecord("B", at: 0)]),
            ])
            try store.commit([CommitUnit(records: [Self.breach("A", at: 5)])])
            try store.commit([
                CommitUnit(log: [.event(storedEvent("A", .respond, at: 6))], records: [dueRecord("A", at: 6)]),
                CommitUnit(log: [.event(storedEvent("A", .close, at: 7))], records: [dueRecord("A", at: 7)]),
            ])
            let before = try store.timeline(ticket: "A", limit: nil)
            let beforeB = try store.timeline(ticket: "B", limit: nil)
            #expect(before.count == 4)
            #expect(try store.forgetClosedTickets() == 3)
            #expect(try store.timeline(ticket: "A", limit: nil) == before)
            #expect(try store.timeline(ticket: "A", limit: 2) == Array(before.suffix(2)))
            #expect(try store.timeline(ticket: "B", limit: nil) == beforeB)
            // A's records no longer name the events that went; B's still names its own.
            #expect(try Self.links(store) == [nil, 2, nil, nil, nil])
            #expect(try store.counts().records == 5)
        }
    }

    @Test("a v2 file with records opens under v3 with the same timelines, and takes new records")
    func fromV2() throws {
        try withTemporaryDirectory { directory in
            try StateStore.makeDirectory(directory)
            let path = (directory as NSString).appendingPathComponent("state.sqlite")
            let rows: [(ticket: String, record: StoredRecord)] = [
                ("A", dueRecord("A", at: 0)), ("B", dueRecord("B", at: 0)), ("A", Self.breach("A", at: 10)),
                ("B", Self.breach("B", at: 20)), ("A", dueRecord("A", at: 30, late: true)),
            ]
            // What a v2 slad wrote, and what its timeline query answered.
            let v2Query = """
                SELECT json FROM (SELECT seq, json FROM record WHERE ticket = ? ORDER BY seq DESC LIMIT ?)
                ORDER BY seq
                """
            var old: [String: [String]] = [:]
            do {
                StateStore.prepareSQLite()
                let pool = try DatabasePool(path: path)
                try Schema.migrator.migrate(pool, upTo: "v2-closes")
                try pool.write { db in
                    try db.execute(
                        sql: """
                            INSERT INTO event (seq, name, ticket, at, received, actor)
                            VALUES (1, 'respond', 'A', 0, 0, 0)
                            """)
                    for row in rows {
                        try db.execute(
                            sql: "INSERT INTO record (at, ticket, kind, late, json) VALUES (?, ?, ?, ?, ?)",
                            arguments: [
                                row.record.record.at.secondsSince1970, row.ticket,
                                RecordRow.kind(of: row.record.record.kind), row.record.late,
                                RecordFormat.encode(row.record.record, late: row.record.late),
                            ])
                    }
                }
                for ticket in ["A", "B"] {
                    old[ticket] = try pool.read { try String.fetchAll($0, sql: v2Query, arguments: [ticket, -1]) }
                }
                old["A2"] = try pool.read { try String.fetchAll($0, sql: v2Query, arguments: ["A", 2]) }
                try pool.close()
            }
            #expect(old["A"]?.count == 3)

            let store = try StateStore(directory: directory)
            let applied = try store.database.read { try Schema.migrator.appliedIdentifiers($0) }
            #expect(applied.contains("v3-record-event"))
            #expect(try store.timeline(ticket: "A", limit: nil) == old["A"])
            #expect(try store.timeline(ticket: "A", limit: 2) == old["A2"])
            #expect(try store.timeline(ticket: "B", limit: nil) == old["B"])

            let later = dueRecord("A", at: 40)
            try store.commit([CommitUnit(log: [.event(storedEvent("A", at: 40))], records: [later])])
            #expect(try Self.links(store).last == 2)
            #expect(try store.timeline(ticket: "A", limit: nil) == (old["A"] ?? []) + Self.json([later]))
        }
    }

    /// The query plan's steps for `sql`.
    static func plan(_ store: StateStore, _ sql: String, _ arguments: StatementArguments = []) throws -> [String] {
        try store.database.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
    }

    /// Whether a plan reads all of a table, rather than searching it or scanning an index.
    static func scansTable(_ details: [String]) -> Bool {
        details.contains { $0 == "SCAN event" || $0 == "SCAN record" || $0.hasPrefix("SCAN event USING INTEGER") }
    }

    /// Whether a plan's step reads the closes alone, from their partial index.
    static func scansCloses(_ detail: String) -> Bool {
        detail.hasPrefix("SCAN event USING") && detail.contains("INDEX event_close")
    }

    @Test("the timeline, events and forgetting queries search indexes and walk by primary key rather than scan")
    func queryPlan() throws {
        try withStore { store, _ in
            let timeline = try Self.plan(store, StateStore.timelineQuery, [1, "A", 10])
            #expect(timeline.contains("SEARCH record USING INDEX record_by_event (event=?)"), "\(timeline)")
            #expect(timeline.contains("SEARCH record USING INDEX record_by_ticket (ticket=?)"), "\(timeline)")
            #expect(timeline.contains("SEARCH event USING INTEGER PRIMARY KEY (rowid=?)"), "\(timeline)")
            #expect(!Self.scansTable(timeline), "\(timeline)")

            let events = try Self.plan(store, StateStore.eventsQuery, [1, "A", 10, 0])
            #expect(events.contains("SEARCH event USING INTEGER PRIMARY KEY (rowid=?)"), "\(events)")
            #expect(!Self.scansTable(events), "\(events)")

            let closes = try Self.plan(store, StateStore.lastCloses)
            #expect(closes.contains(where: Self.scansCloses), "\(closes)")
            let unlink = try Self.plan(store, StateStore.unlinkClosed, [256])
            #expect(unlink.contains("SEARCH record USING INDEX record_by_event (event=?)"), "\(unlink)")
            let delete = try Self.plan(store, StateStore.deleteClosed, [256])
            #expect(delete.contains("SEARCH event USING INTEGER PRIMARY KEY (rowid=?)"), "\(delete)")
            for details in [unlink, delete] {
                #expect(details.contains(where: Self.scansCloses), "\(details)")
                #expect(!Self.scansTable(details), "\(details)")
            }
            #expect(!Self.scansTable(try Self.plan(store, "SELECT last_seq FROM meta WHERE id = 1")))
        }
    }
}
