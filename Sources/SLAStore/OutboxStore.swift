import GRDB
import Glibc
import SLACore

/// The outbox's tables (migration v8-notifications).
enum OutboxSchema {
    static let v8 = """
        CREATE TABLE notification (
            seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL CHECK (seq > 0),
            -- The delivery id, sent with every attempt (webhook-id, Message-ID, SLAD_NOTIFICATION_ID).
            id TEXT NOT NULL UNIQUE CHECK (id <> ''),
            ticket TEXT NOT NULL CHECK (ticket <> ''),
            person TEXT NOT NULL CHECK (person <> ''),
            channel TEXT NOT NULL CHECK (channel <> ''),
            -- The person's channels after this one, one a line: tried in turn when this one is given up.
            later_channels TEXT NOT NULL,
            urgency TEXT NOT NULL CHECK (urgency IN ('high', 'low')),
            purpose TEXT NOT NULL CHECK (purpose IN ('first', 'repeat', 'unacknowledged', 'reminder')),
            round INTEGER NOT NULL CHECK (round >= 0),
            state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'failed', 'cancelled', 'acknowledged')),
            due_at INTEGER NOT NULL,
            -- Milliseconds: retries back off from one second, with jitter.
            next_attempt_ms INTEGER NOT NULL,
            attempts INTEGER NOT NULL CHECK (attempts >= 0),
            first_attempt_ms INTEGER,
            last_error TEXT,
            done_ms INTEGER,
            -- What it tells: the record in the replay format, as the ticket stood then.
            record TEXT NOT NULL,
            record_at INTEGER NOT NULL,
            late INTEGER NOT NULL CHECK (late IN (0, 1)),
            priority TEXT,
            line INTEGER CHECK (line BETWEEN 1 AND 4),
            acknowledged_for INTEGER CHECK (acknowledged_for > 0),
            -- The notification whose failed channel this one takes over from.
            follows TEXT,
            created INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX notification_pending ON notification (next_attempt_ms) WHERE state = 'pending';
        CREATE INDEX notification_failed ON notification (seq) WHERE state = 'failed';
        CREATE INDEX notification_by_ticket ON notification (ticket, seq);

        CREATE TABLE acknowledgement (
            seq INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL CHECK (seq > 0),
            ticket TEXT NOT NULL CHECK (ticket <> ''),
            person TEXT,
            actor INTEGER NOT NULL CHECK (actor BETWEEN 0 AND 4294967295),
            note TEXT,
            at INTEGER NOT NULL,
            cancelled INTEGER NOT NULL CHECK (cancelled >= 0)
        ) STRICT;
        CREATE INDEX acknowledgement_by_ticket ON acknowledgement (ticket, seq);
        """
}

/// Where a notification stands.
public enum NotificationState: String, Sendable, CaseIterable, Codable {
    case pending
    case sent
    case failed
    case cancelled
    case acknowledged
}

/// A notification to write in the same transaction as the record that caused it.
public struct OutboxEntry: Sendable, Equatable {
    public var id: String
    public var planned: PlannedNotification
    /// The record in the replay format.
    public var record: String
    public var recordAt: Instant
    public var late: Bool
    public var priority: String?
    public var line: Int?

    public init(
        id: String = OutboxEntry.newID(), planned: PlannedNotification, record: String, recordAt: Instant,
        late: Bool, priority: String?, line: Int?
    ) {
        self.id = id
        self.planned = planned
        self.record = record
        self.recordAt = recordAt
        self.late = late
        self.priority = priority
        self.line = line
    }

    /// `ntf_` and 96 random bits in hex: unique across states, so a receiver that keeps ids from two
    /// slad installations never confuses them.
    public static func newID() -> String {
        var generator = SystemRandomNumberGenerator()
        let words = [generator.next() as UInt64, generator.next() as UInt64]
        let hex = words.map { word -> String in
            let text = String(word, radix: 16)
            return String(repeating: "0", count: 16 - text.count) + text
        }.joined()
        return "ntf_" + hex.prefix(24)
    }
}

/// A notification as the outbox keeps it.
public struct StoredNotification: Sendable, Equatable {
    public var seq: Int64
    public var id: String
    public var ticket: String
    public var person: String
    public var channel: String
    public var laterChannels: [String]
    public var urgency: NotificationUrgency
    public var purpose: PlannedNotification.Purpose
    public var round: Int
    public var state: NotificationState
    public var due: Instant
    public var nextAttemptMilliseconds: Int64
    public var attempts: Int
    public var firstAttemptMilliseconds: Int64?
    public var lastError: String?
    /// When it was sent, failed, cancelled or acknowledged.
    public var doneMilliseconds: Int64?
    public var record: String
    public var recordAt: Instant
    public var late: Bool
    public var priority: String?
    public var line: Int?
    public var acknowledgedFor: Int64?
    public var follows: String?

    static let columns = """
        seq, id, ticket, person, channel, later_channels, urgency, purpose, round, state, due_at, next_attempt_ms, \
        attempts, first_attempt_ms, last_error, done_ms, record, record_at, late, priority, line, acknowledged_for, \
        follows
        """

    init(row: Row) {
        seq = row[0]
        id = row[1]
        ticket = row[2]
        person = row[3]
        channel = row[4]
        let later: String = row[5]
        laterChannels = later.isEmpty ? [] : later.split(separator: "\n").map(String.init)
        urgency = NotificationUrgency(rawValue: row[6]) ?? .high
        purpose = PlannedNotification.Purpose(rawValue: row[7]) ?? .first
        round = row[8]
        state = NotificationState(rawValue: row[9]) ?? .pending
        due = Instant(secondsSince1970: row[10])
        nextAttemptMilliseconds = row[11]
        attempts = row[12]
        firstAttemptMilliseconds = row[13]
        lastError = row[14]
        doneMilliseconds = row[15]
        record = row[16]
        recordAt = Instant(secondsSince1970: row[17])
        late = (row[18] as Int64) != 0
        priority = row[19]
        line = row[20]
        acknowledgedFor = row[21]
        follows = row[22]
    }
}

/// An acknowledgement as kept: who, when, with what note, and how much it cancelled.
public struct StoredAcknowledgement: Sendable, Equatable {
    public var ticket: String
    /// The person from the peer's Unix user (`people.NAME.user`); nil: only the uid is known.
    public var person: String?
    public var actor: UInt32
    public var note: String?
    public var at: Instant
    public var cancelled: Int
}

/// What one delivery attempt changes in the outbox.
public struct AttemptReport: Sendable, Equatable {
    public var seq: Int64
    public var step: DeliveryStep
    /// Attempts on this row so far, this one included.
    public var attempts: Int
    public var firstAttemptMilliseconds: Int64
    /// Why the attempt failed, if it did.
    public var error: String?
    public var atMilliseconds: Int64

    public init(
        seq: Int64, step: DeliveryStep, attempts: Int, firstAttemptMilliseconds: Int64, error: String?,
        atMilliseconds: Int64
    ) {
        self.seq = seq
        self.step = step
        self.attempts = attempts
        self.firstAttemptMilliseconds = firstAttemptMilliseconds
        self.error = error
        self.atMilliseconds = atMilliseconds
    }
}

extension StateStore {
    /// Inserts the unit's notifications, then cancels what is pending for tickets it resolved or
    /// closed; in the transaction of the unit's events and records.
    static func appendOutbox(_ unit: CommitUnit, to db: Database) throws {
        guard !unit.notifications.isEmpty || !unit.settledTickets.isEmpty else { return }
        let now = Int64(time(nil))
        for entry in unit.notifications {
            try insert(entry, created: now, db: db)
        }
        for ticket in unit.settledTickets {
            try db.execute(
                sql: """
                    UPDATE notification SET state = 'cancelled', done_ms = ?, last_error = 'resolved or closed'
                    WHERE ticket = ? AND state = 'pending'
                    """, arguments: [now * 1000, ticket])
        }
    }

    private static func insert(_ entry: OutboxEntry, created: Int64, follows: String? = nil, db: Database) throws {
        let planned = entry.planned
        guard let channel = planned.channels.first else { return }
        try db.execute(
            sql: """
                INSERT INTO notification (id, ticket, person, channel, later_channels, urgency, purpose, round, state,
                    due_at, next_attempt_ms, attempts, record, record_at, late, priority, line, acknowledged_for,
                    follows, created)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.id, planned.ticket, planned.person, channel, planned.channels.dropFirst().joined(separator: "\n"),
                planned.urgency.rawValue, planned.purpose.rawValue, planned.round, planned.due.secondsSince1970,
                planned.due.secondsSince1970 * 1000, entry.record, entry.recordAt.secondsSince1970,
                entry.late ? 1 : 0, entry.priority, entry.line, planned.acknowledgedFor, follows, created,
            ])
    }

    /// Pending notifications whose next attempt is due by `milliseconds`, earliest first, leaving out
    /// those `excluding` names (attempts in flight).
    public func dueNotifications(
        throughMilliseconds milliseconds: Int64, limit: Int, excluding: Set<Int64> = []
    ) throws(StoreError) -> [StoredNotification] {
        do {
            return try readOnly { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(StoredNotification.columns) FROM notification
                        WHERE state = 'pending' AND next_attempt_ms <= ? ORDER BY next_attempt_ms, seq LIMIT ?
                        """, arguments: [milliseconds, limit + excluding.count]
                ).map(StoredNotification.init(row:)).filter { !excluding.contains($0.seq) }.prefix(limit).map { $0 }
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The earliest next attempt of a pending notification (ms since 1970), if any is pending.
    public func nextNotificationAttempt(excluding: Set<Int64> = []) throws(StoreError) -> Int64? {
        do {
            return try readOnly { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT seq, next_attempt_ms FROM notification WHERE state = 'pending'
                        ORDER BY next_attempt_ms LIMIT ?
                        """, arguments: [excluding.count + 1]
                ).first { !excluding.contains($0[0] as Int64) }.map { $0[1] as Int64 }
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// Writes what attempts came to, in one transaction: a row given up on a channel hands over to the
    /// person's next channel at once, as a new notification (its own id) that follows it.
    ///
    /// Only pending rows change: one that an acknowledgement cancelled while its attempt was under way
    /// stays cancelled.
    /// - Returns: the notifications made for next channels.
    @discardableResult
    public func recordAttempts(_ reports: [AttemptReport]) throws(StoreError) -> [StoredNotification] {
        guard !reports.isEmpty else { return [] }
        return try writeQuietly { db in
            var handed: [String] = []
            for report in reports {
                let common: StatementArguments = [report.attempts, report.firstAttemptMilliseconds, report.error]
                switch report.step {
                case .sent:
                    try db.execute(
                        sql: """
                            UPDATE notification SET state = 'sent', attempts = ?, first_attempt_ms = ?,
                                last_error = coalesce(?, last_error), done_ms = ? WHERE seq = ? AND state = 'pending'
                            """, arguments: common + [report.atMilliseconds, report.seq])
                case .retry(let next):
                    try db.execute(
                        sql: """
                            UPDATE notification SET attempts = ?, first_attempt_ms = ?, last_error = ?,
                                next_attempt_ms = ? WHERE seq = ? AND state = 'pending'
                            """, arguments: common + [next, report.seq])
                case .failed(let reason), .disableChannel(let reason):
                    try db.execute(
                        sql: """
                            UPDATE notification SET state = 'failed', attempts = ?, first_attempt_ms = ?,
                                last_error = ?, done_ms = ? WHERE seq = ? AND state = 'pending'
                            """,
                        arguments: [
                            report.attempts, report.firstAttemptMilliseconds, reason,
                            report.atMilliseconds, report.seq,
                        ])
                    guard db.changesCount > 0,
                        let row = try Row.fetchOne(
                            db, sql: "SELECT \(StoredNotification.columns) FROM notification WHERE seq = ?",
                            arguments: [report.seq])
                    else { continue }
                    let failed = StoredNotification(row: row)
                    guard !failed.laterChannels.isEmpty else { continue }
                    let planned = PlannedNotification(
                        ticket: failed.ticket, person: failed.person, urgency: failed.urgency,
                        channels: failed.laterChannels, due: failed.due, purpose: failed.purpose,
                        round: failed.round, acknowledgedFor: failed.acknowledgedFor)
                    let entry = OutboxEntry(
                        planned: planned, record: failed.record, recordAt: failed.recordAt, late: failed.late,
                        priority: failed.priority, line: failed.line)
                    try Self.insert(entry, created: report.atMilliseconds / 1000, follows: failed.id, db: db)
                    // At once: the person must not wait for the failed channel's schedule.
                    try db.execute(
                        sql: "UPDATE notification SET next_attempt_ms = ? WHERE id = ?",
                        arguments: [report.atMilliseconds, entry.id])
                    handed.append(entry.id)
                }
            }
            return try handed.compactMap { id in
                try Row.fetchOne(
                    db, sql: "SELECT \(StoredNotification.columns) FROM notification WHERE id = ?", arguments: [id]
                ).map(StoredNotification.init(row:))
            }
        }
    }

    /// What an acknowledgement did.
    public struct AcknowledgeResult: Sendable, Equatable {
        /// Pending repeats and escalations cancelled.
        public var cancelled: Int
        /// Notifications already sent, now marked acknowledged.
        public var acknowledged: Int
        /// Reminders scheduled by `acknowledged_for`.
        public var reminders: Int
    }

    /// Acknowledges a ticket in one synced, counted transaction: every pending notification of it is
    /// cancelled, the sent ones are marked acknowledged, and the acknowledgement is recorded; a route
    /// with `acknowledged_for` gets one reminder per person, due that long after `at`.
    public func acknowledge(
        ticket: String, person: String?, actor: UInt32, note: String?, at: Instant
    ) throws(StoreError) -> AcknowledgeResult {
        try countedWrite { db in
            let ms = at.secondsSince1970 * 1000
            let reminderSources = try Row.fetchAll(
                db,
                sql: """
                    SELECT \(StoredNotification.columns) FROM notification
                    WHERE ticket = ? AND acknowledged_for IS NOT NULL AND state IN ('pending', 'sent')
                        AND purpose IN ('first', 'repeat', 'reminder') AND follows IS NULL
                    ORDER BY seq
                    """, arguments: [ticket]
            ).map(StoredNotification.init(row:))
            try db.execute(
                sql: """
                    UPDATE notification SET state = 'cancelled', done_ms = ?, last_error = 'acknowledged'
                    WHERE ticket = ? AND state = 'pending'
                    """, arguments: [ms, ticket])
            let cancelled = db.changesCount
            try db.execute(
                sql: "UPDATE notification SET state = 'acknowledged', done_ms = ? WHERE ticket = ? AND state = 'sent'",
                arguments: [ms, ticket])
            let acknowledged = db.changesCount
            var reminded: Set<String> = []
            for source in reminderSources where !reminded.contains(source.person) {
                reminded.insert(source.person)
                let planned = PlannedNotification(
                    ticket: ticket, person: source.person, urgency: source.urgency,
                    channels: [source.channel] + source.laterChannels, due: at, purpose: .first,
                    acknowledgedFor: source.acknowledgedFor)
                guard let reminder = NotificationPolicy.reminder(after: at, of: planned) else { continue }
                try Self.insert(
                    OutboxEntry(
                        planned: reminder, record: source.record, recordAt: source.recordAt, late: source.late,
                        priority: source.priority, line: source.line),
                    created: at.secondsSince1970, db: db)
            }
            try db.execute(
                sql:
                    """
                    INSERT INTO acknowledgement (ticket, person, actor, note, at, cancelled)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [ticket, person, Int64(actor), note, at.secondsSince1970, cancelled])
            return AcknowledgeResult(cancelled: cancelled, acknowledged: acknowledged, reminders: reminded.count)
        }
    }

    /// Notifications, newest first: of one ticket or all, in the given states or any.
    public func notifications(
        ticket: String?, states: [NotificationState]? = nil, limit: Int = 1_000
    ) throws(StoreError) -> [StoredNotification] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let ticket {
            conditions.append("ticket = ?")
            arguments += [ticket]
        }
        if let states {
            conditions.append("state IN (\(states.map { "'\($0.rawValue)'" }.joined(separator: ", ")))")
        }
        let condition = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        arguments += [limit]
        do {
            return try readOnly { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT \(StoredNotification.columns) FROM notification \(condition) ORDER BY seq DESC LIMIT ?",
                    arguments: arguments
                ).map(StoredNotification.init(row:))
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// A ticket's acknowledgements, oldest first.
    public func acknowledgements(ticket: String) throws(StoreError) -> [StoredAcknowledgement] {
        do {
            return try readOnly { db in
                try Row.fetchAll(
                    db,
                    sql:
                        """
                        SELECT ticket, person, actor, note, at, cancelled FROM acknowledgement
                        WHERE ticket = ? ORDER BY seq
                        """,
                    arguments: [ticket]
                ).map { row in
                    StoredAcknowledgement(
                        ticket: row[0], person: row[1], actor: UInt32(row[2] as Int64), note: row[3],
                        at: Instant(secondsSince1970: row[4]), cancelled: row[5])
                }
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// How many notifications are pending and how many failed.
    public func notificationCounts() throws(StoreError) -> (pending: Int, failed: Int) {
        do {
            return try readOnly { db in
                let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM notification WHERE state = 'pending'")
                let failed = try Int.fetchOne(db, sql: "SELECT count(*) FROM notification WHERE state = 'failed'")
                return (pending ?? 0, failed ?? 0)
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The service and customer a ticket was opened with (its latest `open` in the log).
    public func openedFor(ticket: String) throws(StoreError) -> (service: String?, customer: String?)? {
        do {
            return try readOnly { db in
                try Row.fetchOne(
                    db,
                    sql:
                        """
                        SELECT service, customer FROM event WHERE ticket = ? AND name = 'open'
                        ORDER BY seq DESC LIMIT 1
                        """,
                    arguments: [ticket]
                ).map { ($0[0], $0[1]) }
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }
}
