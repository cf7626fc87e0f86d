import Foundation
import GRDB
import GRDBSQLite
import SLACore

/// The daemon's durable state: the log it recovers from and the timeline it answers queries with.
///
/// One SQLite file, `state.sqlite`, in WAL mode through a GRDB `DatabasePool`: queries read a
/// snapshot on their own connections while the writer commits, so `GetTicket` never waits for a
/// group commit and a commit never waits for a long `readLog`.
public final class StateStore: Sendable {
    /// The database file, for messages.
    public let path: String
    private let pool: DatabasePool

    /// Opens the store in `directory`, creating the directory (mode 0750: the log holds who did what)
    /// and the file if they are missing, and bringing an older file's schema up to date.
    public init(directory: String) throws(StoreError) {
        try Self.makeDirectory(directory)
        let path = (directory as NSString).appendingPathComponent("state.sqlite")
        self.path = path
        var configuration = Configuration()
        configuration.label = "slad.state"
        // Only slad writes, but an operator's sqlite3 shell may hold a lock for a moment: wait for it
        // rather than fail a commit.
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in
                // GRDB sets synchronous=NORMAL with WAL, which syncs the WAL only at checkpoints: a power
                // loss can then take back the last commits. slad acknowledges an event once its commit
                // returns, so each commit must reach the disk first; FULL syncs the WAL at every commit.
                // It is a property of the connection, and all writes go through this one.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // A checkpoint copies the newest version of each page the log holds, on the writer's
                // thread. Ingest rewrites the same index pages in commit after commit: checkpointing at
                // 8,000 pages (32 MiB of log) instead of SQLite's 1,000 copies each of them less often.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000")
            }
            let migrator = Schema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                let known = Set(migrator.migrations)
                let applied = try pool.read { try migrator.appliedIdentifiers($0) }
                throw StoreError.newerSchema(path: path, unknownMigrations: applied.subtracting(known).sorted())
            }
            try migrator.migrate(pool)
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Makes the units durable: one transaction for all of them, synced to disk before it returns, so
    /// a crash keeps all of them or none.
    ///
    /// - Returns: the units with the `seq` of each log entry as assigned.
    @discardableResult
    public func commit(_ units: [CommitUnit]) throws(StoreError) -> [CommitUnit] {
        guard !units.isEmpty else { return units }
        do {
            return try pool.write { db in try Self.append(units, to: db) }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    private static func append(_ units: [CommitUnit], to db: Database) throws -> [CommitUnit] {
        // Events and configurations share the log's sequence. The writer is the only one, and rows are
        // never deleted, so the next seq is one past the largest in either table.
        let lastSeq = try db.cachedStatement(
            sql: """
                SELECT max((SELECT coalesce(max(seq), 0) FROM event), \
                (SELECT coalesce(max(seq), 0) FROM configuration))
                """)
        var seq = try Int64.fetchOne(lastSeq) ?? 0
        let insertEvent = try db.cachedStatement(
            sql: "INSERT INTO event (\(EventRow.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        let insertRecord = try db.cachedStatement(
            sql: "INSERT INTO record (\(RecordRow.columns)) VALUES (?, ?, ?, ?, ?, ?)")
        // Rows are bound straight onto the statements' handles (every parameter, NULLs too, each time):
        // a `StatementArguments` per row boxed each value and was most of a row's cost. Empty arguments
        // set once tell GRDB the statements are bound, so `execute()` only resets and steps them.
        insertEvent.setUncheckedArguments(StatementArguments())
        insertRecord.setUncheckedArguments(StatementArguments())
        var committed = units
        var firedThrough: Instant?
        for unit in committed.indices {
            for entry in committed[unit].log.indices {
                seq += 1
                committed[unit].log[entry].seq = seq
                switch committed[unit].log[entry] {
                case .event(let event):
                    EventRow(event).bind(to: insertEvent.sqliteStatement)
                    try insertEvent.execute()
                case .configuration(let change):
                    try ConfigurationRow(change).insert(db)
                }
            }
            let links = EventLinks(committed[unit].log)
            for record in committed[unit].records {
                RecordRow(record, event: links.seq(of: record.record.ticket)).bind(to: insertRecord.sqliteStatement)
                try insertRecord.execute()
            }
            if let instant = committed[unit].firedThrough {
                firedThrough = max(firedThrough ?? instant, instant)
            }
        }
        if let firedThrough {
            // Never moves back: a unit that fired less than an earlier one must not reopen what is done.
            let raise = try db.cachedStatement(
                sql: """
                    INSERT INTO meta (id, fired_through) VALUES (1, ?1)
                    ON CONFLICT (id) DO UPDATE SET fired_through = max(coalesce(fired_through, ?1), ?1)
                    """)
            raise.setUncheckedArguments([firedThrough.secondsSince1970])
            try raise.execute()
        }
        return committed
    }

    /// The event each record of a unit hangs on: the last of the unit's events on the record's ticket.
    ///
    /// A unit mostly holds one event, which needs no table; a batch of many gets a dictionary, so that
    /// linking its records costs one look-up each rather than a pass over the batch.
    private struct EventLinks {
        private var single: (ticket: String, seq: Int64)?
        private var byTicket: [String: Int64] = [:]

        /// - Parameter log: the unit's entries, seqs assigned.
        init(_ log: [LogEntry]) {
            for entry in log {
                guard case .event(let event) = entry else { continue }
                if byTicket.isEmpty, single == nil || single?.ticket == event.event.ticket {
                    single = (event.event.ticket, event.seq)
                } else {
                    if let single {
                        byTicket[single.ticket] = single.seq
                        self.single = nil
                    }
                    byTicket[event.event.ticket] = event.seq
                }
            }
        }

        func seq(of ticket: String) -> Int64? {
            if let single { return single.ticket == ticket ? single.seq : nil }
            return byTicket[ticket]
        }
    }

    /// Streams the log after `seq`, in seq order, from one snapshot: what recovery re-applies.
    ///
    /// Rows are decoded one at a time from a cursor, so a log of millions of events never sits in
    /// memory. `body` must not call back into the store (GRDB's connections are not reentrant). An
    /// error `body` throws stops the read and comes out unchanged.
    public func readLog(after seq: Int64 = 0, _ body: (LogEntry) throws -> Void) throws {
        // Marks the caller's own errors, so they are not mistaken for the store's.
        struct CallerError: Error {
            var error: any Error
        }
        func deliver(_ entry: LogEntry) throws {
            do { try body(entry) } catch { throw CallerError(error: error) }
        }
        let path = self.path
        do {
            try pool.read { db in
                // Configuration changes are few: merge them into the stream of events by seq.
                let configurations = try ConfigurationRow.filter(Column("seq") > seq).order(Column("seq"))
                    .fetchCursor(db)
                var nextConfiguration = try configurations.next()
                let events = try db.cachedStatement(
                    sql: "SELECT \(EventRow.columns) FROM event WHERE seq > ? ORDER BY seq")
                events.setUncheckedArguments([seq])
                try EventRow.forEach(in: events, path: path) { event in
                    while let configuration = nextConfiguration, configuration.seq < event.seq {
                        try deliver(.configuration(configuration.change))
                        nextConfiguration = try configurations.next()
                    }
                    try deliver(.event(event))
                }
                while let configuration = nextConfiguration {
                    try deliver(.configuration(configuration.change))
                    nextConfiguration = try configurations.next()
                }
            }
        } catch let error as CallerError {
            throw error.error
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The latest instant through which the daemon has fired deadlines, or nil before the first.
    public func firedThrough() throws(StoreError) -> Instant? {
        do {
            let meta = try pool.read { try MetaRow.fetchOne($0, key: 1) }
            return meta?.firedThrough.map(Instant.init)
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The ticket's timeline records in the replay format, oldest first: with `limit`, the latest
    /// `limit` of them, which is what a person looking at a long-running ticket wants.
    public func timeline(ticket: String, limit: Int?) throws(StoreError) -> [String] {
        do {
            return try pool.read { db in
                let statement = try db.cachedStatement(sql: Self.timelineQuery)
                statement.setUncheckedArguments([ticket, Self.sqlLimit(limit)])
                return try String.fetchAll(statement)
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// A ticket's records in two halves, each on its own index (see `Schema`, v3): those its logged
    /// events emitted, found through its events, and those with no event, found by ticket. A record's
    /// event is always one of its own ticket, so the halves are disjoint.
    static let timelineQuery = """
        SELECT json FROM (
            SELECT seq, json FROM record WHERE event IN (SELECT seq FROM event WHERE ticket = ?1)
            UNION ALL
            SELECT seq, json FROM record WHERE event IS NULL AND ticket = ?1
            ORDER BY seq DESC LIMIT ?2)
        ORDER BY seq
        """

    /// The ticket's events, oldest first: with `limit`, the latest `limit` of them.
    public func events(ticket: String, limit: Int?) throws(StoreError) -> [StoredEvent] {
        let path = self.path
        do {
            return try pool.read { db in
                let statement = try db.cachedStatement(
                    sql: """
                        SELECT * FROM (SELECT \(EventRow.columns) FROM event WHERE ticket = ? ORDER BY seq DESC \
                        LIMIT ?) ORDER BY seq
                        """)
                statement.setUncheckedArguments([ticket, Self.sqlLimit(limit)])
                var events: [StoredEvent] = []
                try EventRow.forEach(in: statement, path: path) { events.append($0) }
                return events
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// How many events and timeline records the file holds, for the daemon's status.
    public func counts() throws(StoreError) -> (events: Int, records: Int) {
        do {
            return try pool.read { db in
                let row = try Row.fetchOne(
                    db, sql: "SELECT (SELECT count(*) FROM event), (SELECT count(*) FROM record)")
                return (try row?.decode(Int.self, atIndex: 0) ?? 0, try row?.decode(Int.self, atIndex: 1) ?? 0)
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Deletes the events of every ticket up to its last `close`, and returns how many went.
    ///
    /// A closed ticket leaves nothing behind in the engine, so recovery need not apply its events
    /// again: after this the log grows with the open tickets, not with the whole history, and so
    /// does the time a restart takes. A ticket id opened again after its close keeps the events of
    /// its new life. Timeline records stay, for the history.
    @discardableResult
    public func forgetClosedTickets() throws(StoreError) -> Int {
        let closed = Self.closedEvents
        do {
            return try pool.write { db in
                // A timeline reaches a record with an event through that event: once the event goes, the
                // record must be found by its ticket, as records without an event are.
                try db.execute(sql: "UPDATE record SET event = NULL WHERE event IN (\(closed))")
                try db.execute(sql: "DELETE FROM event WHERE seq IN (\(closed))")
                return db.changesCount
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The seqs of the events ``forgetClosedTickets()`` deletes: each ticket's up to its last close.
    static let closedEvents = """
        SELECT e.seq FROM (
            SELECT ticket, max(seq) AS closed FROM event WHERE name = 'close' GROUP BY ticket
        ) AS c
        JOIN event AS e ON e.ticket = c.ticket AND e.seq <= c.closed
        """

    /// Closes the file now rather than when the last reference goes, so a daemon that stops can say
    /// whether the last checkpoint worked. Every later call fails.
    public func close() throws(StoreError) {
        do {
            try pool.close()
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The pool, for the tests' look at the schema and the connection's settings.
    var database: DatabasePool { pool }

    /// SQLite's LIMIT: a negative value means no limit.
    private static func sqlLimit(_ limit: Int?) -> Int64 {
        guard let limit else { return -1 }
        return Int64(max(0, limit))
    }

    /// `mkdir -p`, with 0750 on each directory it makes: the log names tickets, services, customers
    /// and the uids that sent each event.
    static func makeDirectory(_ path: String) throws(StoreError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .directory(path: path, operation: "use it as the state directory", errno: ENOTDIR)
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path {
            try makeDirectory(parent)
        }
        if mkdir(path, 0o750) != 0 {
            let error = errno
            if error == EEXIST { return }  // made by someone else meanwhile
            throw .directory(path: path, operation: "create the directory", errno: error)
        }
        // mkdir's mode passes through the umask; the directory's mode should not depend on it.
        if chmod(path, 0o750) != 0 {
            throw .directory(path: path, operation: "set the directory's mode to 0750", errno: errno)
        }
    }
}
