import CSQLiteTuning
import Foundation
import GRDB
import GRDBSQLite
import SLACore
import Synchronization

/// The daemon's durable state: the log it recovers from and the timeline it answers queries with.
///
/// One SQLite file, `state.sqlite`, in WAL mode through a GRDB `DatabasePool`: queries read a
/// snapshot on their own connections while the writer commits, so `GetTicket` never waits for a
/// group commit and a commit never waits for a long `readLog`.
public final class StateStore: Sendable {
    /// The database file, for messages.
    public let path: String
    /// How long the checks of an existing file took at open (SQLite's quick check reads every page).
    public let integrityCheck: Duration
    private let pool: DatabasePool
    private let checkpointer: Checkpointer
    /// The commits made to the file so far (`meta.commit_seq`), and its copy beside the file.
    private let commitCount: Mutex<Int64>
    private let marker: CommitMarker
    /// Where the walk through `prev` that finds a ticket's events starts (see `Schema`, v4).
    private let heads = Mutex(Heads())

    /// Each ticket with events in the log, and the seq of its latest.
    ///
    /// Writers change the map only after their transaction committed; queries read it before they take
    /// their snapshot, so the seq they start from is in it. Building the map is a pass over the whole
    /// log, half a second for a million events: rather than at open, it is built while recovery's
    /// `readLog(after: 0)` streams the log anyway, or by the first call that needs it before that.
    private struct Heads {
        /// nil until built.
        var latest: [String: Int64]?
        /// How many times closed tickets were forgotten: a map a `readLog` built from a snapshot that
        /// may predate one of them is dropped, lest it keep the forgotten events' seqs.
        var forgettings = 0
    }

    /// Opens the store in `directory`, creating the directory (mode 0750: the log holds who did what)
    /// and the file if they are missing, and bringing an older file's schema up to date.
    public convenience init(directory: String) throws(StoreError) {
        try self.init(directory: directory, checkpointThreshold: 32 << 20)
    }

    /// - Parameter checkpointThreshold: the log size in bytes from which the checkpoint thread copies it
    ///   back; tests make it small.
    init(directory: String, checkpointThreshold: Int) throws(StoreError) {
        _ = Self.sqliteConfigured
        try Self.makeDirectory(directory)
        let path = (directory as NSString).appendingPathComponent("state.sqlite")
        self.path = path
        let markerPath = (directory as NSString).appendingPathComponent(CommitMarker.fileName)
        var configuration = Configuration()
        configuration.label = "slad.state"
        // Only slad writes, but an operator's sqlite3 shell may hold a lock for a moment: wait for it
        // rather than fail a commit.
        configuration.busyMode = .timeout(5)
        do {
            let marked = try CommitMarker.read(path: markerPath)
            var commits: Int64 = 0
            let checkBegan = ContinuousClock.now
            if access(path, F_OK) != 0 {
                if let marked, marked > 0 {
                    throw StoreError.damaged(
                        path: path,
                        reason: "the file is missing, but \(CommitMarker.fileName) counts \(marked) commits made to it")
                }
                try StateFile.create(path: path)
            } else {
                commits = try StateFile.inspect(path: path, marked: marked)
            }
            integrityCheck = ContinuousClock.now - checkBegan
            pool = try DatabasePool(path: path, configuration: configuration)
            try pool.writeWithoutTransaction { db in
                // GRDB sets synchronous=NORMAL with WAL, which syncs the WAL only at checkpoints: a power
                // loss can then take back the last commits. slad acknowledges an event once its commit
                // returns, so each commit must reach the disk first; FULL syncs the WAL at every commit.
                // It is a property of the connection, and all writes go through this one.
                try db.execute(sql: "PRAGMA synchronous = FULL")
                // Checkpoints run on their own thread (Checkpointer) once the log reaches 32 MiB: ingest
                // rewrites the same index pages in commit after commit, and a larger log copies each of
                // them less often. The writer's own checkpoint, inside a commit, is only the backstop.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 32000")
                // When a checkpoint has copied everything and the log starts over, the file is cut back
                // to 8 MiB, so its size tells the checkpointer how much is new.
                try db.execute(sql: "PRAGMA journal_size_limit = \(8 << 20)")
            }
            let migrator = Schema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                let known = Set(migrator.migrations)
                let applied = try pool.read { try migrator.appliedIdentifiers($0) }
                throw StoreError.newerSchema(path: path, unknownMigrations: applied.subtracting(known).sorted())
            }
            try migrator.migrate(pool)
            commitCount = Mutex(commits)
            marker = try CommitMarker(path: markerPath, value: commits, holds: marked)
            checkpointer = try Checkpointer(path: path, threshold: checkpointThreshold)
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Builds the map of each ticket's latest event, unless recovery or an earlier call has.
    ///
    /// Callers come here before they take a snapshot or the writer, so the pass never nests in theirs.
    private func buildHeads() throws {
        try heads.withLock { heads in
            if heads.latest == nil {
                heads.latest = try pool.read { try Self.latestEvents(in: $0, path: path) }
            }
        }
    }

    /// A map with room for a head per event, which bounds the tickets: growing a million entries one
    /// rehash at a time took 40% longer, and once closed tickets are forgotten most tickets in the log
    /// are open ones with a few events each.
    private static func emptyHeads(_ db: Database) throws -> [String: Int64] {
        var heads: [String: Int64] = [:]
        heads.reserveCapacity(try Int.fetchOne(db, sql: "SELECT count(*) FROM event") ?? 0)
        return heads
    }

    /// The seq of `ticket`'s latest event in the log, if it has any.
    private func latestSeq(of ticket: String) throws -> Int64? {
        try buildHeads()
        return heads.withLock { $0.latest?[ticket] }
    }

    /// Each ticket's latest event, from one pass over the log in seq order (the table's own order).
    private static func latestEvents(in db: Database, path: String) throws -> [String: Int64] {
        var latest = try emptyHeads(db)
        let statement = try db.makeStatement(sql: "SELECT seq, ticket FROM event ORDER BY seq")
        let rows = try Row.fetchCursor(statement)
        let current = statement.sqliteStatement
        while try rows.next() != nil {
            let seq = Int64(sqliteStatement: current, index: 0)
            guard let ticket = String.fromStatement(current, atUncheckedIndex: 1) else {
                throw StoreError.corruptRow(
                    path: path, table: EventRow.databaseTableName, seq: seq, reason: "a NOT NULL column holds NULL")
            }
            latest[ticket] = seq
        }
        return latest
    }

    /// Makes the units durable: one transaction for all of them, synced to disk before it returns, so
    /// a crash keeps all of them or none.
    ///
    /// - Returns: the units with the `seq` of each log entry as assigned.
    @discardableResult
    public func commit(_ units: [CommitUnit]) throws(StoreError) -> [CommitUnit] {
        guard !units.isEmpty else { return units }
        do {
            try buildHeads()
            return try pool.writeWithoutTransaction { db in
                var committed: [CommitUnit] = []
                var appended: [String: Int64] = [:]
                // Only the writer's connection commits, and it runs one closure at a time.
                let count = commitCount.withLock { $0 } + 1
                try db.inTransaction {
                    (committed, appended) = try Self.append(
                        units, latest: { ticket in heads.withLock { $0.latest?[ticket] } }, commit: count, to: db)
                    return .commit
                }
                // Only once the rows are there: a rolled-back commit must leave no ticket starting its walk
                // at a seq that was never written, and that the next commit hands out again.
                heads.withLock { $0.latest?.merge(appended) { $1 } }
                commitCount.withLock { $0 = count }
                marker.write(count)
                return committed
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Runs `body` in one write transaction that also advances the commit sequence, synced like
    /// ``commit(_:)``: for writes beside the event log (on-call overrides).
    func countedWrite<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                let count = commitCount.withLock { $0 } + 1
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    try db.execute(sql: "UPDATE meta SET commit_seq = ? WHERE id = 1", arguments: [count])
                    return .commit
                }
                commitCount.withLock { $0 = count }
                marker.write(count)
                return result!
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// A write transaction that leaves the commit sequence alone: delivery outcomes. One lost in a
    /// crash only means the attempt is made again, with the same id.
    func writeQuietly<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.write { db in try body(db) }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Reads a snapshot on a reader connection.
    func readOnly<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// Inserts the units' rows in the current transaction.
    ///
    /// - Parameter latest: the seq of a ticket's latest event committed before this transaction.
    /// - Returns: the units with their seqs, and the latest event this transaction appended of each ticket.
    private static func append(
        _ units: [CommitUnit], latest: (String) -> Int64?, commit: Int64, to db: Database
    ) throws -> ([CommitUnit], [String: Int64]) {
        // Events and configurations share the log's sequence, which goes on from the high-water mark
        // rather than from max(seq): forgetting may have deleted the newest events, and a `prev` may
        // still name them.
        let lastSeq = try db.cachedStatement(sql: "SELECT last_seq FROM meta WHERE id = 1")
        let firstSeq = try Int64.fetchOne(lastSeq) ?? 0
        var seq = firstSeq
        let insertEvent = try db.cachedStatement(
            sql: "INSERT INTO event (\(EventRow.columns)) VALUES (\(EventRow.placeholders))")
        let insertRecord = try db.cachedStatement(
            sql: "INSERT INTO record (\(RecordRow.columns)) VALUES (?, ?, ?, ?, ?, ?)")
        // Rows are bound straight onto the statements' handles (every parameter, NULLs too, each time):
        // a `StatementArguments` per row boxed each value and was most of a row's cost. Empty arguments
        // set once tell GRDB the statements are bound, so `execute()` only resets and steps them.
        insertEvent.setUncheckedArguments(StatementArguments())
        insertRecord.setUncheckedArguments(StatementArguments())
        var committed = units
        var appended: [String: Int64] = [:]
        var firedThrough: Instant?
        for unit in committed.indices {
            for entry in committed[unit].log.indices {
                seq += 1
                committed[unit].log[entry].seq = seq
                switch committed[unit].log[entry] {
                case .event(let event):
                    let ticket = event.event.ticket
                    EventRow(event, prev: appended[ticket] ?? latest(ticket)).bind(to: insertEvent.sqliteStatement)
                    try insertEvent.execute()
                    appended[ticket] = seq
                case .configuration(let change):
                    try ConfigurationRow(change).insert(db)
                }
            }
            // One row for each run of records that share ticket, kind, lateness, event and instant (an
            // open's three due records, say), their lines joined: every row costs the writer thread, which
            // every acknowledged event waits for, a table and an index insert.
            let links = EventLinks(committed[unit].log)
            func insert(_ row: RecordRow) throws {
                row.bind(to: insertRecord.sqliteStatement)
                try insertRecord.execute()
            }
            var run: RecordRow?
            for record in committed[unit].records {
                let row = RecordRow(record, event: links.seq(of: record.record.ticket))
                if run?.continues(with: row) == true {
                    run?.json += "\n" + row.json
                } else {
                    try run.map(insert)
                    run = row
                }
            }
            try run.map(insert)
            try appendOutbox(committed[unit], to: db)
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
        try appendOutcomes(committed, to: db)
        let advance = try db.cachedStatement(sql: "UPDATE meta SET last_seq = ?, commit_seq = ? WHERE id = 1")
        advance.setUncheckedArguments([seq, commit])
        try advance.execute()
        return (committed, appended)
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
    ///
    /// - Parameter openLivesOnly: leave out each ticket's events up to its last `close`, those
    ///   ``forgetClosedTickets(tickets:)`` deletes: a closed ticket leaves nothing in the engine, so
    ///   recovery arrives at the same state without them, and a start takes time by the open tickets
    ///   while the maintenance pass has not yet caught up with the closed ones.
    public func readLog(
        after seq: Int64 = 0, openLivesOnly: Bool = false, _ body: (LogEntry) throws -> Void
    ) throws {
        // Marks the caller's own errors, so they are not mistaken for the store's.
        struct CallerError: Error {
            var error: any Error
        }
        func deliver(_ entry: LogEntry) throws {
            do { try body(entry) } catch { throw CallerError(error: error) }
        }
        let path = self.path
        // Recovery reads the whole log: the map of heads comes with it rather than from a pass of its own.
        let forgettings = seq == 0 ? heads.withLock { $0.latest == nil ? $0.forgettings : nil } : nil
        var latest: [String: Int64] = [:]
        do {
            try pool.read { db in
                if forgettings != nil { latest = try Self.emptyHeads(db) }
                var closes: [String: Int64] = [:]
                if openLivesOnly {
                    let rows = try Row.fetchCursor(db, sql: Self.lastCloses)
                    while let row = try rows.next() { closes[row[0]] = row[1] }
                }
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
                    if forgettings != nil { latest[event.event.ticket] = event.seq }
                    if let close = closes[event.event.ticket], event.seq <= close { return }
                    try deliver(.event(event))
                }
                while let configuration = nextConfiguration {
                    try deliver(.configuration(configuration.change))
                    nextConfiguration = try configurations.next()
                }
            }
            if let forgettings {
                // Not if a call built the map meanwhile, nor if closed tickets were forgotten since the map
                // was empty: the snapshot may be older than that.
                heads.withLock { heads in
                    if heads.latest == nil, heads.forgettings == forgettings { heads.latest = latest }
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
    /// `limit` of them, which is what a person looking at a long-running ticket wants; `skip` leaves
    /// out that many of the newest first (the next older page).
    public func timeline(ticket: String, limit: Int?, skip: Int = 0) throws(StoreError) -> [String] {
        do {
            let head = try latestSeq(of: ticket)
            let skip = max(0, skip)
            let wanted = limit.map { max(0, $0) + skip }
            return try pool.read { db in
                // A row holds one record or more, so `wanted` rows hold at least `wanted` records.
                let statement = try db.cachedStatement(sql: Self.timelineQuery)
                statement.setUncheckedArguments([head, ticket, Self.sqlLimit(wanted)])
                var lines = try String.fetchAll(statement).flatMap { $0.split(separator: "\n").map(String.init) }
                if let wanted, lines.count > wanted { lines = Array(lines.suffix(wanted)) }
                return Array(lines.dropLast(skip))
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// How many events of the ticket the log holds and how many timeline records: what ``events(ticket:limit:skip:)``
    /// and ``timeline(ticket:limit:skip:)`` return without a limit.
    public func historySize(ticket: String) throws(StoreError) -> (events: Int, records: Int) {
        do {
            let head = try latestSeq(of: ticket)
            return try pool.read { db in
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        \(Self.chain)
                        SELECT (SELECT count(*) FROM chain),
                            (SELECT coalesce(sum(1 + length(json) - length(replace(json, char(10), ''))), 0) FROM (
                                SELECT json FROM record WHERE event IN (SELECT seq FROM chain)
                                UNION ALL
                                SELECT json FROM record WHERE event IS NULL AND ticket = ?2))
                        """, arguments: [head, ticket])
                return (try row?.decode(Int.self, atIndex: 0) ?? 0, try row?.decode(Int.self, atIndex: 1) ?? 0)
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The seqs of ticket ?2's events in the log, newest first: the walk through `prev` by primary key
    /// from its latest event, ?1 (see `Schema`, v4). It stops where a `prev` names an event forgotten
    /// since; the check of the ticket is for a file changed behind slad's back.
    static let chain = """
        WITH RECURSIVE chain (seq, prev) AS (
            SELECT seq, prev FROM event WHERE seq = ?1 AND ticket = ?2
            UNION ALL
            SELECT event.seq, event.prev FROM chain JOIN event ON event.seq = chain.prev AND event.ticket = ?2)
        """

    /// A ticket's records in two halves, each on its own index (see `Schema`, v3): those its logged
    /// events emitted, found through its events, and those with no event, found by ticket. A record's
    /// event is always one of its own ticket, so the halves are disjoint.
    static let timelineQuery = """
        \(chain)
        SELECT json FROM (
            SELECT seq, json FROM record WHERE event IN (SELECT seq FROM chain)
            UNION ALL
            SELECT seq, json FROM record WHERE event IS NULL AND ticket = ?2
            ORDER BY seq DESC LIMIT ?3)
        ORDER BY seq
        """

    /// The ticket's events: the latest ?3 of ``chain`` after the newest ?4, oldest first.
    static let eventsQuery = """
        \(chain)
        SELECT * FROM (
            SELECT \(EventRow.columns) FROM event WHERE seq IN (SELECT seq FROM chain) ORDER BY seq DESC
            LIMIT ?3 OFFSET ?4)
        ORDER BY seq
        """

    /// The ticket's events, oldest first: with `limit`, the latest `limit` of them; `skip` leaves out
    /// that many of the newest first (the next older page).
    public func events(ticket: String, limit: Int?, skip: Int = 0) throws(StoreError) -> [StoredEvent] {
        let path = self.path
        do {
            guard let head = try latestSeq(of: ticket) else { return [] }
            return try pool.read { db in
                let statement = try db.cachedStatement(sql: Self.eventsQuery)
                statement.setUncheckedArguments([head, ticket, Self.sqlLimit(limit), Int64(max(0, skip))])
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
                    db,
                    sql: """
                        SELECT (SELECT count(*) FROM event),
                        (SELECT count(*) + coalesce(sum(length(json) - length(replace(json, char(10), ''))), 0) FROM record)
                        """)
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
    ///
    /// The work is done `tickets` closed tickets a transaction: the writer's connection is the one
    /// commits need, and one transaction over 600,000 events held a Submit for 35.6 s. Between two
    /// of them a commit waits for one small transaction at most.
    @discardableResult
    public func forgetClosedTickets(tickets: Int = 256) throws(StoreError) -> Int {
        try forgetClosedTickets(tickets: tickets, betweenTransactions: {})
    }

    /// ``forgetClosedTickets(tickets:)``, calling `betweenTransactions` after each transaction but the
    /// last, when the pass holds no connection: where the tests commit.
    func forgetClosedTickets(tickets: Int, betweenTransactions: () throws -> Void) throws(StoreError) -> Int {
        var forgotten = 0
        while true {
            let (closes, events) = try forgetSomeClosedTickets(tickets)
            forgotten += events
            if closes < tickets { return forgotten }
            do { try betweenTransactions() } catch { throw StoreError.converting(error, path: path) }
        }
    }

    /// One transaction of ``forgetClosedTickets(tickets:)``: the tickets forgotten, and their events.
    private func forgetSomeClosedTickets(_ count: Int) throws(StoreError) -> (tickets: Int, events: Int) {
        do {
            return try pool.writeWithoutTransaction { db in
                var closes: [(ticket: String, seq: Int64)] = []
                var forgotten = 0
                try db.inTransaction {
                    closes = try Row.fetchAll(db, sql: Self.someLastCloses, arguments: [count]).map { ($0[0], $0[1]) }
                    guard !closes.isEmpty else { return .commit }
                    // A timeline reaches a record with an event through that event: once the event goes, the
                    // record must be found by its ticket, as records without an event are. The same closes
                    // in both statements: the index is read in ticket order, and the first changes no event.
                    try db.execute(sql: Self.unlinkClosed, arguments: [count])
                    try db.execute(sql: Self.deleteClosed, arguments: [count])
                    forgotten = db.changesCount
                    return .commit
                }
                // A ticket's latest event went only if it was the last close; one reopened since keeps its head.
                heads.withLock { heads in
                    heads.forgettings += 1
                    for close in closes where heads.latest?[close.ticket] == close.seq {
                        heads.latest?[close.ticket] = nil
                    }
                }
                return (closes.count, forgotten)
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Deletes the timeline records written before `cutoff` of tickets that have no event left in
    /// the log (closed, and forgotten by ``forgetClosedTickets(tickets:)``), `rows` rows considered
    /// a transaction; returns how many rows went.
    ///
    /// Records of closed tickets were never removed: a million tickets opened and closed left 1.45 GB
    /// of state. An open ticket keeps all of its records, however old. Rows are taken in `seq` order,
    /// which is the order they were written in, and the pass ends at the first one written at or after
    /// `cutoff`, so it reads little more than what it deletes.
    @discardableResult
    public func removeRecords(before cutoff: Instant, rows: Int = 1_000) throws(StoreError) -> Int {
        try removeRows(of: "record", before: cutoff, rows: rows)
    }

    /// Deletes the report outcomes of tickets not open (`retention.reports`) written before
    /// `cutoff`, like ``removeRecords(before:rows:)``; returns how many went.
    @discardableResult
    public func removeOutcomes(before cutoff: Instant, rows: Int = 1_000) throws(StoreError) -> Int {
        try removeRows(of: "outcome", before: cutoff, rows: rows)
    }

    /// Rows of `table` (seq, ticket, at) of tickets not open, written before `cutoff`, in batches
    /// of `rows` a transaction.
    private func removeRows(of table: String, before cutoff: Instant, rows: Int) throws(StoreError) -> Int {
        var after: Int64 = 0
        var removed = 0
        do {
            try buildHeads()
            while true {
                let candidates = try pool.read { db in
                    try Row.fetchAll(
                        db, sql: "SELECT seq, ticket, at FROM \(table) WHERE seq > ? ORDER BY seq LIMIT ?",
                        arguments: [after, rows]
                    ).map { (seq: $0[0] as Int64, ticket: $0[1] as String, at: $0[2] as Int64) }
                }
                var doomed: [Int64] = []
                var reachedCutoff = false
                heads.withLock { heads in
                    for candidate in candidates {
                        if candidate.at >= cutoff.secondsSince1970 {
                            reachedCutoff = true
                            break
                        }
                        after = candidate.seq
                        // A ticket reopened since keeps its head; its old life's records may go all the same.
                        if heads.latest?[candidate.ticket] == nil { doomed.append(candidate.seq) }
                    }
                }
                if !doomed.isEmpty {
                    try pool.write { db in
                        let list = doomed.map(String.init).joined(separator: ",")
                        try db.execute(sql: "DELETE FROM \(table) WHERE seq IN (\(list))")
                    }
                    removed += doomed.count
                }
                if reachedCutoff || candidates.count < rows { return removed }
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Each ticket's last close, from the closes' own index.
    static let lastCloses = "SELECT ticket, max(seq) AS seq FROM event WHERE name = 'close' GROUP BY ticket"

    /// The first ?1 of ``lastCloses``, in ticket order.
    static let someLastCloses = "\(lastCloses) LIMIT ?1"

    /// The seqs of the events ``forgetClosedTickets(tickets:)`` deletes, as the table `closed`: the
    /// last close of ?1 tickets and the events its chain reaches back to (the same walk as ``chain``).
    static let closedEvents = """
        WITH RECURSIVE closed (seq, prev, ticket) AS (
            SELECT event.seq, event.prev, event.ticket FROM (\(someLastCloses)) AS close
            JOIN event ON event.seq = close.seq
            UNION ALL
            SELECT event.seq, event.prev, event.ticket FROM closed
            JOIN event ON event.seq = closed.prev AND event.ticket = closed.ticket)
        """

    /// Leaves the records of ``closedEvents`` without an event.
    static let unlinkClosed = "\(closedEvents) UPDATE record SET event = NULL WHERE event IN (SELECT seq FROM closed)"

    /// Deletes ``closedEvents``.
    static let deleteClosed = "\(closedEvents) DELETE FROM event WHERE seq IN (SELECT seq FROM closed)"

    /// Writes a consistent copy of the state to `destination`, a file that must not exist yet,
    /// while commits go on.
    ///
    /// `VACUUM INTO` on a connection of its own reads one snapshot (the writer never waits for it)
    /// and writes a compact copy with the log folded in, so the copy is one file. It is synced before
    /// this returns. Its commit count is the snapshot's: restored into a state directory without a
    /// `state.commits`, it starts as it is.
    public func backup(to destination: String) throws(StoreError) {
        do {
            try StateFile.withConnection(path: path, label: "slad.state.backup") { db in
                try db.execute(sql: "VACUUM INTO ?", arguments: [destination])
            }
        } catch {
            throw StoreError.converting(error, path: destination)
        }
        let fd = open(destination, O_RDONLY | O_CLOEXEC)
        guard fd >= 0, fsync(fd) == 0 else {
            let error = errno
            if fd >= 0 { Glibc.close(fd) }
            throw .directory(path: destination, operation: "sync the copy", errno: error)
        }
        Glibc.close(fd)
    }

    /// Closes the file now rather than when the last reference goes, so a daemon that stops can say
    /// whether the last checkpoint worked. Every later call fails.
    ///
    /// The log is first copied back into the file and emptied (a TRUNCATE checkpoint), so the file
    /// alone holds everything: a copy of `state.sqlite` made after a clean stop is a whole backup.
    public func close() throws(StoreError) {
        checkpointer.stop()
        defer { marker.close() }
        do {
            try pool.writeWithoutTransaction { db in
                _ = try db.checkpoint(.truncate)
            }
            try pool.close()
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    deinit {
        checkpointer.stop()
    }

    /// SQLite's process-wide options, set once before the first connection opens: without memory
    /// statistics, SQLite takes no global lock per allocation. That lock was an eighth of the writer
    /// thread's time, and every acknowledged event waits for that thread.
    private static let sqliteConfigured: Bool = slad_sqlite_configure() == SQLITE_OK

    /// Sets SQLite's process-wide options now, for code that opens a connection of its own before any
    /// store (tests that look into a state file): once SQLite is initialised they can no longer be set.
    package static func prepareSQLite() { _ = sqliteConfigured }

    /// The pool, for the tests' look at the schema and the connection's settings.
    var database: DatabasePool { pool }

    /// Whether the map of each ticket's latest event is built, for the tests.
    var headsBuilt: Bool { heads.withLock { $0.latest != nil } }

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
