import GRDB

/// The tables of `state.sqlite` and how they came to be.
///
/// A migration is frozen once shipped: a file written by one slad must open under every later one.
/// Change the schema by registering a new migration after the last, never by editing one. The SQL is
/// written out rather than built with GRDB's table builder, so the schema cannot drift with GRDB.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            // The log: ticket events and configuration changes share one sequence (`seq`), assigned at
            // commit, so recovery can interleave them exactly as they happened. Events are columns,
            // not a JSON blob, because recovery decodes every one of them at each start.
            // STRICT makes SQLite refuse a value of the wrong type instead of converting it.
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        seq INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
                        name TEXT NOT NULL CHECK (name IN ('open', 'respond', 'assign', 'pause', 'resume',
                            'reprioritize', 'resolve', 'reopen', 'close')),
                        ticket TEXT NOT NULL CHECK (ticket <> ''),
                        priority TEXT,
                        impact TEXT,
                        urgency TEXT,
                        service TEXT,
                        customer TEXT,
                        line INTEGER CHECK (line >= 1),
                        reason TEXT,
                        at INTEGER NOT NULL,
                        requested_at INTEGER,
                        received INTEGER NOT NULL,
                        actor INTEGER NOT NULL CHECK (actor BETWEEN 0 AND 4294967295),
                        -- Each event carries exactly the fields of its kind, so recovery never meets an
                        -- open without a priority or a pause without a reason.
                        CHECK (CASE name
                            WHEN 'open' THEN reason IS NULL AND (
                                (priority IS NOT NULL AND impact IS NULL AND urgency IS NULL)
                                OR (priority IS NULL AND impact IS NOT NULL AND urgency IS NOT NULL))
                            WHEN 'reprioritize' THEN service IS NULL AND customer IS NULL AND line IS NULL
                                AND reason IS NULL AND (
                                (priority IS NOT NULL AND impact IS NULL AND urgency IS NULL)
                                OR (priority IS NULL AND impact IS NOT NULL AND urgency IS NOT NULL))
                            WHEN 'assign' THEN line IS NOT NULL AND priority IS NULL AND impact IS NULL
                                AND urgency IS NULL AND service IS NULL AND customer IS NULL AND reason IS NULL
                            WHEN 'pause' THEN reason IS NOT NULL AND priority IS NULL AND impact IS NULL
                                AND urgency IS NULL AND service IS NULL AND customer IS NULL AND line IS NULL
                            ELSE priority IS NULL AND impact IS NULL AND urgency IS NULL AND service IS NULL
                                AND customer IS NULL AND line IS NULL AND reason IS NULL
                        END)
                    ) STRICT;
                    CREATE INDEX event_by_ticket ON event (ticket, seq);

                    CREATE TABLE configuration (
                        seq INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
                        at INTEGER NOT NULL,
                        path TEXT NOT NULL,
                        text TEXT NOT NULL
                    ) STRICT;

                    -- The timeline: each record in the replay format as it was sent to watchers, with the
                    -- columns that queries select on. `seq` is the record's own order, not the log's.
                    CREATE TABLE record (
                        seq INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
                        at INTEGER NOT NULL,
                        ticket TEXT NOT NULL CHECK (ticket <> ''),
                        kind TEXT NOT NULL CHECK (kind IN ('due', 'warning', 'breach', 'met', 'escalate')),
                        late INTEGER NOT NULL CHECK (late IN (0, 1)),
                        json TEXT NOT NULL CHECK (json LIKE '{%}')
                    ) STRICT;
                    CREATE INDEX record_by_ticket ON record (ticket, seq);

                    -- One row: what the daemon has fired so far.
                    CREATE TABLE meta (
                        id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                        fired_through INTEGER
                    ) STRICT;
                    INSERT INTO meta (id, fired_through) VALUES (1, NULL);
                    """)
        }
        migrator.registerMigration("v2-closes") { db in
            // The closes alone, so forgetting closed tickets finds them without reading every event.
            try db.execute(sql: "CREATE INDEX event_close ON event (ticket, seq) WHERE name = 'close';")
        }
        migrator.registerMigration("v3-record-event") { db in
            // Ticket ids arrive in no order, so an index keyed by ticket takes each commit's rows at as
            // many places as the commit has tickets: record_by_ticket, three rows an event, was half the
            // pages a commit wrote. A record now names the event whose application emitted it, and event
            // seqs only grow, so record_by_event takes a commit's rows at its right edge, on one page or
            // two. Only records with no such event (timer firings, reload, late records at recovery)
            // stay keyed by ticket; the timeline of a ticket reaches the others through its events.
            try db.execute(
                sql: """
                    ALTER TABLE record ADD COLUMN event INTEGER CHECK (event > 0);
                    DROP INDEX record_by_ticket;
                    CREATE INDEX record_by_ticket ON record (ticket, seq) WHERE event IS NULL;
                    CREATE INDEX record_by_event ON record (event) WHERE event IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v4-event-chain") { db in
            // The same for events: event_by_ticket took a commit's events at as many places as it had
            // tickets, most of the pages a commit wrote once records had left record_by_ticket. Each
            // event now names the seq of its ticket's previous event still in the log (`prev`), and the
            // store keeps each ticket's latest seq in memory, so a ticket's events are a walk by primary
            // key and an insert touches only the table's right edge. The backfill uses the index one last
            // time before it goes.
            //
            // A `prev` may outlive the event it names (forgetting deletes a closed ticket's events), so
            // no seq may be handed out twice: `last_seq` keeps the log's high-water mark, which max(seq)
            // loses when the newest events are deleted.
            try db.execute(
                sql: """
                    ALTER TABLE event ADD COLUMN prev INTEGER CHECK (prev > 0 AND prev < seq);
                    UPDATE event SET prev = (
                        SELECT max(earlier.seq) FROM event AS earlier
                        WHERE earlier.ticket = event.ticket AND earlier.seq < event.seq);
                    ALTER TABLE meta ADD COLUMN last_seq INTEGER NOT NULL DEFAULT 0 CHECK (last_seq >= 0);
                    UPDATE meta SET last_seq = max(
                        (SELECT coalesce(max(seq), 0) FROM event), (SELECT coalesce(max(seq), 0) FROM configuration));
                    DROP INDEX event_by_ticket;
                    """)
        }
        migrator.registerMigration("v5-record-runs") { _ in
            // No change to the tables, a change to what a record row holds: from now on a row of
            // `record` may hold several records, one per line of `json`, the run of a commit unit's
            // records that share ticket, kind, lateness, event and instant (an open's three due
            // records). Three rows and three index entries per opened ticket were most of what the
            // writer thread did. The migration marks the file, so an older slad, which would read a run
            // as one record, refuses it instead.
        }
        migrator.registerMigration("v6-commit-seq") { db in
            // Every commit counts itself here, in its own transaction; the count of the last one is also
            // synced to a file beside the database (CommitMarker), so a start that finds fewer commits
            // here than there knows the write-ahead log was lost, rather than serve an older state.
            try db.execute(
                sql: "ALTER TABLE meta ADD COLUMN commit_seq INTEGER NOT NULL DEFAULT 0 CHECK (commit_seq >= 0);")
        }
        migrator.registerMigration("v7-oncall-overrides") { db in
            // AUTOINCREMENT: an override's id ("ov-" and its seq) is never handed out again after a
            // removal, so a stale id in a script cannot remove somebody else's override.
            try db.execute(
                sql: """
                    CREATE TABLE oncall_override (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL CHECK (seq > 0),
                        team TEXT NOT NULL CHECK (team <> ''),
                        person TEXT NOT NULL CHECK (person <> ''),
                        start_at INTEGER NOT NULL,
                        end_at INTEGER NOT NULL CHECK (end_at > start_at),
                        actor INTEGER NOT NULL CHECK (actor BETWEEN 0 AND 4294967295),
                        created INTEGER NOT NULL
                    ) STRICT;
                    """)
        }
        migrator.registerMigration("v8-notifications") { db in
            try db.execute(sql: OutboxSchema.v8)
        }
        migrator.registerMigration("v9-report-outcomes") { db in
            // What reports count, one row per outcome (a clock decided or stopped, a transfer, an opening,
            // resolution, closing): written with the event or firing it came from and kept for
            // retention.reports, while the event log is forgotten once a ticket closes. The meaning of kind,
            // x, y and z is SLAReport's (ReportFact); the context columns hold the ticket's values then.
            try db.execute(
                sql: """
                    CREATE TABLE outcome (
                        seq INTEGER PRIMARY KEY NOT NULL,
                        at INTEGER NOT NULL,
                        ticket TEXT NOT NULL CHECK (ticket <> ''),
                        kind INTEGER NOT NULL CHECK (kind > 0),
                        x INTEGER NOT NULL,
                        y INTEGER NOT NULL,
                        z INTEGER NOT NULL,
                        agreement TEXT NOT NULL,
                        priority TEXT NOT NULL,
                        customer TEXT NOT NULL,
                        service TEXT NOT NULL,
                        line INTEGER NOT NULL CHECK (line BETWEEN 1 AND 4)
                    ) STRICT;
                    """)
        }
        return migrator
    }
}
