import Foundation
import GRDB
import GRDBSQLite
import SLACore
import SLAWire
import Testing

@testable import SLAStore

@Suite("State store")
struct StateStoreTests {
    /// Every case of TicketChange, with every optional field both present and absent.
    static let changes: [TicketChange] = [
        .open(priority: .level("P1"), service: "mail", customer: "acme", line: 2),
        .open(priority: .matrix(impact: "high", urgency: "low"), service: nil, customer: nil, line: nil),
        .open(priority: .level("P3"), service: nil, customer: "Ünïcode \"quoted\"", line: 1),
        .respond,
        .assign(line: 3),
        .pause(reason: "waiting-customer"),
        .resume,
        .reprioritize(.level("P2")),
        .reprioritize(.matrix(impact: "low", urgency: "high")),
        .resolve,
        .reopen,
        .close,
    ]

    @Test("every ticket change comes back from the log as it went in", arguments: changes)
    func roundTrip(_ change: TicketChange) throws {
        try withStore { store, _ in
            let withRequest = StoredEvent(
                at: instant(60), requestedAt: instant(30), received: instant(61), actor: UInt32.max,
                event: TicketEvent(ticket: "INC-\"7\"/ü", change: change))
            var withoutRequest = withRequest
            withoutRequest.requestedAt = nil
            withoutRequest.actor = 0
            try store.commit([CommitUnit(log: [.event(withRequest), .event(withoutRequest)])])

            var expected = [withRequest, withoutRequest]
            expected[0].seq = 1
            expected[1].seq = 2
            #expect(try entireLog(store) == expected.map(LogEntry.event))
            #expect(try store.events(ticket: "INC-\"7\"/ü", limit: nil) == expected)
        }
    }

    @Test("events are stored as columns, not as a blob")
    func eventColumns() throws {
        try withStore { store, _ in
            let open = TicketChange.open(
                priority: .matrix(impact: "high", urgency: "low"), service: "mail", customer: "acme", line: 2)
            try store.commit([CommitUnit(log: [.event(storedEvent("INC-1", open, at: 10))])])
            let rows = try store.database.read { try EventRow.fetchAll($0) }
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row.name == "open")
            #expect(row.ticket == "INC-1")
            #expect(row.priority == nil)
            #expect(row.impact == "high")
            #expect(row.urgency == "low")
            #expect(row.service == "mail")
            #expect(row.customer == "acme")
            #expect(row.line == 2)
            #expect(row.at == instant(10).secondsSince1970)
            #expect(row.requestedAt == instant(5).secondsSince1970)
            #expect(row.received == instant(11).secondsSince1970)
            #expect(row.actor == 1000)
        }
    }

    @Test("log entries are numbered in commit order across events and configurations; readLog(after:) skips")
    func sequence() throws {
        try withStore { store, _ in
            let configuration = ConfigurationChange(at: instant(), path: "/etc/slad/slad.yaml", text: "lines: []\n")
            let committed = try store.commit([
                CommitUnit(log: [.configuration(configuration), .event(storedEvent("A"))]),
                CommitUnit(log: [.event(storedEvent("B")), .event(storedEvent("C"))]),
            ])
            #expect(committed.flatMap(\.log).map(\.seq) == [1, 2, 3, 4])
            try store.commit([CommitUnit(log: [.event(storedEvent("D")), .configuration(configuration)])])
            try store.commit([CommitUnit(log: [.event(storedEvent("E"))])])

            let log = try entireLog(store)
            #expect(log.map(\.seq) == [1, 2, 3, 4, 5, 6, 7])
            let shape = log.map { entry -> String in
                switch entry {
                case .event(let event): return event.event.ticket
                case .configuration(let change): return "config \(change.path) \(change.text)"
                }
            }
            let config = "config /etc/slad/slad.yaml lines: []\n"
            #expect(shape == [config, "A", "B", "C", "D", config, "E"])
            #expect(try entireLog(store, after: 4).map(\.seq) == [5, 6, 7])
            #expect(try entireLog(store, after: 5).map(\.seq) == [6, 7])
            #expect(try entireLog(store, after: 7).isEmpty)
            #expect(try entireLog(store, after: 1) == Array(log.dropFirst()))
        }
    }

    @Test("an error thrown by readLog's body stops the read and comes out unchanged")
    func readLogBodyError() throws {
        struct Stop: Error, Equatable {}
        try withStore { store, _ in
            try store.commit([unit("A"), unit("B"), unit("C")])
            var seen: [Int64] = []
            #expect(throws: Stop()) {
                try store.readLog { entry in
                    seen.append(entry.seq)
                    if entry.seq == 2 { throw Stop() }
                }
            }
            #expect(seen == [1, 2])
        }
    }

    /// Commits of units, each unit's fired-through in seconds after ``instant(_:)``, and the result.
    static let firedThroughCases: [([[Int64?]], Int64?)] = [
        ([], nil),
        ([[100]], 100),
        ([[100], [50]], 100),
        ([[100], [nil]], 100),
        ([[nil], [nil]], nil),
        ([[300, 200]], 300),
        ([[200, 300], [250, nil]], 300),
        ([[100], [400]], 400),
    ]

    @Test("fired-through is the latest instant ever committed", arguments: firedThroughCases)
    func firedThrough(_ commits: [[Int64?]], _ expected: Int64?) throws {
        try withStore { store, _ in
            #expect(try store.firedThrough() == nil)
            for units in commits {
                try store.commit(units.map { CommitUnit(firedThrough: $0.map(instant)) })
            }
            #expect(try store.firedThrough() == expected.map(instant))
        }
    }

    @Test("a ticket's timeline comes back in order, late records marked, the latest ones with a limit")
    func timeline() throws {
        try withStore { store, _ in
            let breachB = StoredRecord(
                record: TimelineRecord(at: instant(50), ticket: "B", kind: .breach(.line(1), agreement: "desk")))
            let escalateA = StoredRecord(
                record: TimelineRecord(
                    at: instant(60), ticket: "A", kind: .functionalEscalation(from: 1, to: 2, reason: .expired)),
                late: true)
            let warnA = StoredRecord(
                record: TimelineRecord(
                    at: instant(70), ticket: "A", kind: .warning(.response, agreement: "gold", percent: 50)))
            try store.commit([CommitUnit(records: [dueRecord("A", at: 10), dueRecord("B", at: 20)])])
            try store.commit([CommitUnit(records: [breachB]), CommitUnit(records: [escalateA])])
            try store.commit([CommitUnit(records: [warnA])])

            let timelineA = [dueRecord("A", at: 10), escalateA, warnA].map {
                RecordFormat.encode($0.record, late: $0.late)
            }
            #expect(try store.timeline(ticket: "A", limit: nil) == timelineA)
            #expect(try store.timeline(ticket: "A", limit: 2) == Array(timelineA.suffix(2)))
            #expect(try store.timeline(ticket: "A", limit: 5) == timelineA)
            #expect(try store.timeline(ticket: "A", limit: 0).isEmpty)
            #expect(try store.timeline(ticket: "B", limit: nil).count == 2)
            #expect(try store.timeline(ticket: "C", limit: nil).isEmpty)
            #expect(timelineA[1].hasSuffix(#""reason":"expired","late":true}"#))
            #expect(!timelineA[0].contains(#""late""#))

            let rows = try store.database.read { try RecordRow.fetchAll($0, sql: "SELECT * FROM record ORDER BY seq") }
            #expect(rows.map(\.ticket) == ["A", "B", "B", "A", "A"])
            #expect(rows.map(\.kind) == ["due", "due", "breach", "escalate", "warning"])
            #expect(rows.map(\.late) == [false, false, false, true, false])
            #expect(rows.map(\.at) == [10, 20, 50, 60, 70].map { instant($0).secondsSince1970 })
        }
    }

    @Test("a ticket's events come back oldest first, the latest ones with a limit")
    func eventsOfTicket() throws {
        try withStore { store, _ in
            let openA = storedEvent("A", .open(priority: .level("P1"), service: nil, customer: nil, line: nil))
            try store.commit([CommitUnit(log: [.event(openA), .event(storedEvent("B"))])])
            try store.commit([CommitUnit(log: [.event(storedEvent("A", .assign(line: 2), at: 10))])])
            try store.commit([CommitUnit(log: [.event(storedEvent("A", .resolve, at: 20))])])

            let events = try store.events(ticket: "A", limit: nil)
            #expect(events.map(\.event.change.name) == ["open", "assign", "resolve"])
            #expect(events.map(\.seq) == [1, 3, 4])
            #expect(try store.events(ticket: "A", limit: 2).map(\.seq) == [3, 4])
            #expect(try store.events(ticket: "B", limit: nil).map(\.seq) == [2])
            #expect(try store.events(ticket: "Z", limit: nil).isEmpty)
        }
    }

    @Test("counts are the events and records stored")
    func counts() throws {
        try withStore { store, _ in
            #expect(try store.counts() == (0, 0))
            try store.commit([
                unit("A"), unit("B"),
                CommitUnit(log: [.configuration(ConfigurationChange(at: instant(), path: "p", text: "t"))]),
                CommitUnit(records: [dueRecord("A"), dueRecord("A")]),
            ])
            #expect(try store.counts() == (2, 4))
        }
    }

    /// A unit the schema refuses, in one of its parts.
    static let refusedUnits: [(String, CommitUnit)] = [
        ("an event on an empty ticket", CommitUnit(log: [.event(storedEvent("B")), .event(storedEvent(""))])),
        ("a record for an empty ticket", CommitUnit(log: [.event(storedEvent("B"))], records: [dueRecord("")])),
    ]

    @Test("a failed commit leaves none of its rows, and the store goes on", arguments: refusedUnits)
    func failedCommit(_ part: String, _ refused: CommitUnit) throws {
        try withStore { store, directory in
            try store.commit([unit("A"), CommitUnit(firedThrough: instant(100))])
            var good = unit("C")
            good.firedThrough = instant(500)
            let configuration = ConfigurationChange(at: instant(), path: "p", text: "t")
            good.log.append(.configuration(configuration))

            var failure: StoreError?
            do throws(StoreError) {
                try store.commit([good, refused])
            } catch {
                failure = error
            }
            let path = (directory as NSString).appendingPathComponent("state.sqlite")
            guard case .sqlite(path, 275, let message)? = failure else {
                Issue.record("expected a CHECK failure on \(path), got \(String(describing: failure))")
                return
            }
            #expect(message.contains("CHECK constraint failed"))
            #expect(failure?.description.hasPrefix("\(path): SQLite error 275") == true)

            #expect(try ticketsInLog(store) == ["A"])
            #expect(try entireLog(store).count == 1)
            #expect(try store.counts() == (1, 1))
            #expect(try store.firedThrough() == instant(100))
            #expect(try store.timeline(ticket: "C", limit: nil).isEmpty)
            #expect(try store.events(ticket: "B", limit: nil).isEmpty)

            try store.commit([unit("D")])
            #expect(try entireLog(store).map(\.seq) == [1, 2])
            #expect(try ticketsInLog(store) == ["A", "D"])
        }
    }

    @Test("a reopened store sees everything committed, and numbers on")
    func reopen() throws {
        try withTemporaryDirectory { directory in
            let configuration = ConfigurationChange(at: instant(), path: "slad.yaml", text: "calendars: {}\n")
            var before: [LogEntry] = []
            do {
                let store = try StateStore(directory: directory)
                var first = unit("A")
                first.log.insert(.configuration(configuration), at: 0)
                first.firedThrough = instant(300)
                try store.commit([first, unit("B", at: 10)])
                before = try entireLog(store)
                try store.close()
            }
            do {
                let store = try StateStore(directory: directory)
                #expect(try entireLog(store) == before)
                #expect(before.count == 3)
                #expect(try store.firedThrough() == instant(300))
                let timelineB = [RecordFormat.encode(dueRecord("B", at: 10).record)]
                #expect(try store.timeline(ticket: "B", limit: nil) == timelineB)
                #expect(try store.counts() == (2, 2))
                let committed = try store.commit([unit("C")])
                #expect(committed.flatMap(\.log).map(\.seq) == [4])
            }
            // Without an explicit close: dropping the last reference closes the file too.
            let store = try StateStore(directory: directory)
            #expect(try ticketsInLog(store) == ["A", "B", "C"])
        }
    }

    @Test("the state directory is created, parents included, mode 0750")
    func createsDirectory() throws {
        try withTemporaryDirectory { root in
            let directory = (root as NSString).appendingPathComponent("var/lib/slad")
            let store = try StateStore(directory: directory)
            #expect(store.path == (directory as NSString).appendingPathComponent("state.sqlite"))
            #expect(FileManager.default.fileExists(atPath: store.path))
            for path in [root, (root as NSString).appendingPathComponent("var"), directory] {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o750, "\(path)")
                #expect(attributes[.type] as? FileAttributeType == .typeDirectory, "\(path)")
            }
            // An existing directory is used as it is.
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
            _ = try StateStore(directory: directory)
            let attributes = try FileManager.default.attributesOfItem(atPath: directory)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        }
    }

    @Test("a file where the directory should be is refused, naming the path")
    func fileInTheWay() throws {
        try withTemporaryDirectory { root in
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let directory = (root as NSString).appendingPathComponent("state")
            #expect(FileManager.default.createFile(atPath: directory, contents: Data("x".utf8)))
            let expected = StoreError.directory(
                path: directory, operation: "use it as the state directory", errno: ENOTDIR)
            #expect(throws: expected) {
                try StateStore(directory: directory)
            }
        }
    }

    @Test("commits sync to disk (synchronous=FULL) in WAL mode")
    func durability() throws {
        try withStore { store, _ in
            let (synchronous, journalMode) = try store.database.writeWithoutTransaction { db in
                (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try String.fetchOne(db, sql: "PRAGMA journal_mode"))
            }
            #expect(synchronous == 2)  // FULL; NORMAL is 1
            #expect(journalMode == "wal")
        }
    }

    @Test("a file migrated by a newer slad is refused")
    func newerSchema() throws {
        try withTemporaryDirectory { directory in
            do {
                let store = try StateStore(directory: directory)
                try store.database.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99')") }
                try store.close()
            }
            let path = (directory as NSString).appendingPathComponent("state.sqlite")
            #expect(throws: StoreError.newerSchema(path: path, unknownMigrations: ["v99"])) {
                try StateStore(directory: directory)
            }
        }
    }

    @Test("a row that got past the schema stops readLog, naming the table and seq")
    func corruptRow() throws {
        try withStore { store, _ in
            try store.commit([unit("A")])
            try store.database.writeWithoutTransaction { db in
                // Only a hand-edited file has such a row: the CHECKs are off for this connection alone.
                try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
                try db.execute(sql: Self.eventInsert + ") VALUES (2, 'assign', 'A', 0, 0, 0)")
                try db.execute(sql: "PRAGMA ignore_check_constraints = OFF")
            }
            var seen: [Int64] = []
            let expected = StoreError.corruptRow(
                path: store.path, table: "event", seq: 2, reason: "an assign event without a line")
            #expect(throws: expected) {
                try store.readLog { seen.append($0.seq) }
            }
            #expect(seen == [1])
        }
    }

    static let eventInsert = "INSERT INTO event (seq, name, ticket, at, received, actor"
    static let recordInsert = "INSERT INTO record (seq, at, ticket, kind, late, json) VALUES (1, 0, "

    @Test("the schema takes a well-formed row", arguments: [
        eventInsert + ") VALUES (1, 'respond', 'T', 0, 0, 0)",
        eventInsert + ", priority) VALUES (1, 'open', 'T', 0, 0, 4294967295, 'P1')",
        eventInsert + ", impact, urgency, line) VALUES (1, 'open', 'T', 0, 0, 0, 'high', 'low', 4)",
        eventInsert + ", line) VALUES (1, 'assign', 'T', 0, 0, 0, 2)",
        eventInsert + ", reason) VALUES (1, 'pause', 'T', 0, 0, 0, 'waiting')",
        recordInsert + "'T', 'escalate', 1, '{}')",
        "INSERT INTO record (seq, at, ticket, kind, late, json, event) VALUES (1, 0, 'T', 'due', 0, '{}', 7)",
    ])
    func schemaTakes(_ sql: String) throws {
        try withStore { store, _ in
            try store.database.write { try $0.execute(sql: sql) }
        }
    }

    @Test("the schema refuses rows slad would never write", arguments: [
        eventInsert + ") VALUES (1, 'explode', 'T', 0, 0, 0)",
        eventInsert + ") VALUES (1, 'respond', '', 0, 0, 0)",
        eventInsert + ") VALUES (1, 'respond', NULL, 0, 0, 0)",
        eventInsert + ") VALUES (1, 'respond', 'T', 'yesterday', 0, 0)",
        eventInsert + ") VALUES (1, 'respond', 'T', 0, 0, -1)",
        eventInsert + ") VALUES (1, 'respond', 'T', 0, 0, 4294967296)",
        eventInsert + ") VALUES (1, 'open', 'T', 0, 0, 0)",
        eventInsert + ", priority, impact, urgency) VALUES (1, 'open', 'T', 0, 0, 0, 'P1', 'high', 'low')",
        eventInsert + ", impact) VALUES (1, 'open', 'T', 0, 0, 0, 'high')",
        eventInsert + ", priority, reason) VALUES (1, 'open', 'T', 0, 0, 0, 'P1', 'why')",
        eventInsert + ", priority, line) VALUES (1, 'open', 'T', 0, 0, 0, 'P1', 0)",
        eventInsert + ", priority, service) VALUES (1, 'reprioritize', 'T', 0, 0, 0, 'P1', 'mail')",
        eventInsert + ") VALUES (1, 'assign', 'T', 0, 0, 0)",
        eventInsert + ") VALUES (1, 'pause', 'T', 0, 0, 0)",
        eventInsert + ", reason) VALUES (1, 'respond', 'T', 0, 0, 0, 'why')",
        eventInsert + ", line) VALUES (1, 'close', 'T', 0, 0, 0, 2)",
        recordInsert + "'T', 'bogus', 0, '{}')",
        recordInsert + "'T', 'due', 2, '{}')",
        recordInsert + "'', 'due', 0, '{}')",
        recordInsert + "'T', 'due', 0, 'not json')",
        "INSERT INTO record (seq, at, ticket, kind, late, json, event) VALUES (1, 0, 'T', 'due', 0, '{}', 0)",
        "INSERT INTO meta (id, fired_through) VALUES (2, 0)",
    ])
    func schemaRefuses(_ sql: String) throws {
        try withStore { store, _ in
            let error = #expect(throws: DatabaseError.self) {
                try store.database.write { try $0.execute(sql: sql) }
            }
            #expect(error?.resultCode == .SQLITE_CONSTRAINT)
        }
    }
}

@Suite("Forgetting closed tickets")
struct ForgetClosedTicketsTests {
    @Test("a ticket's events up to its last close go; an open ticket and a reopened id's new life stay")
    func forget() throws {
        try withStore { store, _ in
            let open = TicketChange.open(priority: .level("P2"), service: nil, customer: nil, line: nil)
            let events: [(String, TicketChange)] = [
                ("A", open), ("B", open), ("A", .respond), ("A", .close), ("C", open), ("C", .close),
                ("A", open), ("A", .pause(reason: "waiting-customer")), ("B", .respond),
            ]
            try store.commit([
                CommitUnit(
                    log: events.enumerated().map { .event(storedEvent($1.0, $1.1, at: Int64($0))) },
                    records: [dueRecord("A"), dueRecord("C")])
            ])
            #expect(try store.forgetClosedTickets() == 5)
            let left = try entireLog(store).compactMap { entry -> String? in
                guard case .event(let event) = entry else { return nil }
                return "\(event.event.ticket) \(event.event.change.name)"
            }
            #expect(left == ["B open", "A open", "A pause", "B respond"])
            // The history stays in the timeline.
            #expect(try store.timeline(ticket: "C", limit: nil).count == 1)
            #expect(try store.forgetClosedTickets() == 0)
            // Seqs go on rising after the forgetting, so the log keeps its order.
            try store.commit([CommitUnit(log: [.event(storedEvent("B", .resolve, at: 20))])])
            let last = try entireLog(store).last
            guard case .event(let event)? = last else {
                Issue.record("the log should end with B's resolve")
                return
            }
            #expect(event.event.change == .resolve)
        }
    }
}

@Suite("State store checkpoints and SQLite settings")
struct CheckpointTests {
    @Test("the log is copied back into the database file by the checkpoint thread, with no commit doing it")
    func checkpointThread() throws {
        try withTemporaryDirectory { directory in
            let store = try StateStore(directory: directory, checkpointThreshold: 64 << 10)
            let file = directory + "/state.sqlite"
            func size(_ path: String) -> Int {
                ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
            }
            let before = size(file)
            // Well past the threshold, and far below the writer's own automatic checkpoint (32,000 pages).
            for batch in 0..<40 {
                try store.commit((0..<20).map { unit("T-\(batch)-\($0)", at: Int64(batch)) })
            }
            #expect(size(file + "-wal") >= 64 << 10)
            let deadline = Date(timeIntervalSinceNow: 10)
            while size(file) <= before, Date() < deadline { usleep(20_000) }
            // Nothing was committed meanwhile: only the checkpoint thread can have grown the file.
            #expect(size(file) > before)
            try store.close()
        }
    }

    @Test("SQLite keeps no memory statistics (a global lock per allocation), and the log is cut back after a reset")
    func sqliteSettings() throws {
        try withStore { store, _ in
            let limit = try store.database.writeWithoutTransaction { db in
                try Int.fetchOne(db, sql: "PRAGMA journal_size_limit")
            }
            #expect(limit == 8 << 20)
            var current: sqlite3_int64 = -1
            var highest: sqlite3_int64 = -1
            #expect(sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &current, &highest, 0) == SQLITE_OK)
            // With statistics on, the store's open connections would show here.
            #expect(current == 0)
        }
    }
}
