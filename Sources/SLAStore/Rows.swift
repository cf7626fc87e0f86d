import GRDB
import SLACore
import SLAWire

/// A row of `event`: one accepted ticket event.
struct EventRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "event"

    var seq: Int64
    var name: String
    var ticket: String
    var priority: String?
    var impact: String?
    var urgency: String?
    var service: String?
    var customer: String?
    var line: Int64?
    var reason: String?
    var at: Int64
    var requestedAt: Int64?
    var received: Int64
    var actor: Int64
    /// The seq of the same ticket's previous event, if it was still in the log when this one was
    /// appended; it may name an event forgotten since (see `Schema`, v4).
    var prev: Int64?

    enum CodingKeys: String, CodingKey {
        case seq, name, ticket, priority, impact, urgency, service, customer, line, reason, at
        case requestedAt = "requested_at"
        case received, actor, prev
    }

    /// The columns in the order ``init(sqliteStatement:)`` and ``arguments`` use them: the hot paths bind
    /// and read by index, which spares a look-up by name for each column of a million rows.
    static let columns = """
        seq, name, ticket, priority, impact, urgency, service, customer, line, reason, at, requested_at, received, \
        actor, prev
        """

    /// The placeholders for ``columns``.
    static let placeholders = "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"

    init(_ stored: StoredEvent, prev: Int64?) {
        seq = stored.seq
        name = stored.event.change.name
        ticket = stored.event.ticket
        at = stored.at.secondsSince1970
        requestedAt = stored.requestedAt?.secondsSince1970
        received = stored.received.secondsSince1970
        actor = Int64(stored.actor)
        self.prev = prev
        switch stored.event.change {
        case .open(let choice, let service, let customer, let line):
            (priority, impact, urgency) = Self.priorityColumns(of: choice)
            self.service = service
            self.customer = customer
            self.line = line.map(Int64.init)
        case .assign(let line):
            self.line = Int64(line)
        case .pause(let reason):
            self.reason = reason
        case .reprioritize(let choice):
            (priority, impact, urgency) = Self.priorityColumns(of: choice)
        case .respond, .resume, .resolve, .reopen, .close:
            break
        }
    }

    /// Reads the current row of a statement that selects ``columns``, through GRDB's accessors on the
    /// SQLite statement itself: the calls `Row.decode` ends in, without the `Row` in between. Recovery
    /// reads every event this way; a debug build (tests, CI) reads a million in less than half the time.
    ///
    /// - Returns: nil when a NOT NULL column holds NULL (the file was changed behind slad's back).
    init?(sqliteStatement statement: SQLiteStatement) {
        guard let name = String.fromStatement(statement, atUncheckedIndex: 1),
            let ticket = String.fromStatement(statement, atUncheckedIndex: 2),
            let at = Int64.fromStatement(statement, atUncheckedIndex: 10),
            let received = Int64.fromStatement(statement, atUncheckedIndex: 12),
            let actor = Int64.fromStatement(statement, atUncheckedIndex: 13)
        else { return nil }
        seq = Int64(sqliteStatement: statement, index: 0)
        self.name = name
        self.ticket = ticket
        priority = String.fromStatement(statement, atUncheckedIndex: 3)
        impact = String.fromStatement(statement, atUncheckedIndex: 4)
        urgency = String.fromStatement(statement, atUncheckedIndex: 5)
        service = String.fromStatement(statement, atUncheckedIndex: 6)
        customer = String.fromStatement(statement, atUncheckedIndex: 7)
        line = Int64.fromStatement(statement, atUncheckedIndex: 8)
        reason = String.fromStatement(statement, atUncheckedIndex: 9)
        self.at = at
        requestedAt = Int64.fromStatement(statement, atUncheckedIndex: 11)
        self.received = received
        self.actor = actor
        prev = Int64.fromStatement(statement, atUncheckedIndex: 14)
    }

    /// Reads the events a statement that selects ``columns`` yields, one at a time.
    static func forEach(
        in statement: Statement, path: String, _ body: (StoredEvent) throws -> Void
    ) throws {
        let rows = try Row.fetchCursor(statement)
        let current = statement.sqliteStatement
        while try rows.next() != nil {
            guard let row = EventRow(sqliteStatement: current) else {
                throw StoreError.corruptRow(
                    path: path, table: databaseTableName, seq: Int64(sqliteStatement: current, index: 0),
                    reason: "a NOT NULL column holds NULL")
            }
            try body(try row.storedEvent(path: path))
        }
    }

    /// The values in the order of ``columns``.
    var arguments: StatementArguments {
        [
            seq, name, ticket, priority, impact, urgency, service, customer, line, reason, at, requestedAt, received,
            actor, prev,
        ]
    }

    /// Binds ``arguments`` onto the statement's handle by index, without boxing them.
    func bind(to statement: SQLiteStatement) {
        RawBind.reset(statement)
        RawBind.int(seq, 1, statement)
        RawBind.text(name, 2, statement)
        RawBind.text(ticket, 3, statement)
        RawBind.text(priority, 4, statement)
        RawBind.text(impact, 5, statement)
        RawBind.text(urgency, 6, statement)
        RawBind.text(service, 7, statement)
        RawBind.text(customer, 8, statement)
        RawBind.int(line, 9, statement)
        RawBind.text(reason, 10, statement)
        RawBind.int(at, 11, statement)
        RawBind.int(requestedAt, 12, statement)
        RawBind.int(received, 13, statement)
        RawBind.int(actor, 14, statement)
        RawBind.int(prev, 15, statement)
    }

    private static func priorityColumns(of choice: PriorityChoice) -> (String?, String?, String?) {
        switch choice {
        case .level(let level): return (level, nil, nil)
        case .matrix(let impact, let urgency): return (nil, impact, urgency)
        }
    }

    /// The event again. The schema's CHECKs make the failures impossible in a file only slad wrote.
    func storedEvent(path: String) throws(StoreError) -> StoredEvent {
        func corrupt(_ reason: String) -> StoreError {
            .corruptRow(path: path, table: Self.databaseTableName, seq: seq, reason: reason)
        }
        func priorityChoice() throws(StoreError) -> PriorityChoice {
            if let priority { return .level(priority) }
            if let impact, let urgency { return .matrix(impact: impact, urgency: urgency) }
            throw corrupt("a \(name) event without a priority or impact and urgency")
        }
        func lineNumber(_ line: Int64) throws(StoreError) -> Int {
            guard let number = Int(exactly: line) else { throw corrupt("line \(line) is out of range") }
            return number
        }
        let change: TicketChange
        switch name {
        case "open":
            change = .open(
                priority: try priorityChoice(), service: service, customer: customer,
                line: try line.map { (line) throws(StoreError) in try lineNumber(line) })
        case "respond": change = .respond
        case "assign":
            guard let line else { throw corrupt("an assign event without a line") }
            change = .assign(line: try lineNumber(line))
        case "pause":
            guard let reason else { throw corrupt("a pause event without a reason") }
            change = .pause(reason: reason)
        case "resume": change = .resume
        case "reprioritize": change = .reprioritize(try priorityChoice())
        case "resolve": change = .resolve
        case "reopen": change = .reopen
        case "close": change = .close
        default: throw corrupt("unknown event \"\(name)\"")
        }
        guard let actor = UInt32(exactly: actor) else { throw corrupt("actor \(actor) is not a uid") }
        return StoredEvent(
            seq: seq, at: Instant(secondsSince1970: at), requestedAt: requestedAt.map(Instant.init),
            received: Instant(secondsSince1970: received), actor: actor,
            event: TicketEvent(ticket: ticket, change: change))
    }
}

/// A row of `configuration`: one loaded configuration text.
struct ConfigurationRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "configuration"

    var seq: Int64
    var at: Int64
    var path: String
    var text: String

    init(_ change: ConfigurationChange) {
        seq = change.seq
        at = change.at.secondsSince1970
        path = change.path
        text = change.text
    }

    var change: ConfigurationChange {
        ConfigurationChange(seq: seq, at: Instant(secondsSince1970: at), path: path, text: text)
    }
}

/// A row of `record`: one timeline record in the replay format.
struct RecordRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "record"

    /// Assigned by SQLite (the rowid); nil before insertion.
    var seq: Int64?
    var at: Int64
    var ticket: String
    var kind: String
    var late: Bool
    /// One record in the replay format per line (JSON text has no raw newline): a row holds a run of
    /// records of one commit unit that share ticket, kind, lateness, event and instant (see v5).
    var json: String
    /// The seq of the event, of the same ticket and in the same commit unit, whose application emitted
    /// the record; nil when there is none, or once that event has left the log. A timeline finds a
    /// record with an event through `record_by_event`, one without through `record_by_ticket`.
    var event: Int64?

    /// The columns in the order of ``arguments``; `seq` is left to SQLite.
    static let columns = "at, ticket, kind, late, json, event"

    /// Whether `next`, the record after this row's last in its unit, joins this row.
    func continues(with next: RecordRow) -> Bool {
        next.ticket == ticket && next.kind == kind && next.late == late && next.event == event && next.at == at
    }

    init(_ stored: StoredRecord, event: Int64?) {
        seq = nil
        at = stored.record.at.secondsSince1970
        ticket = stored.record.ticket
        kind = Self.kind(of: stored.record.kind)
        late = stored.late
        json = stored.line
        self.event = event
    }

    var arguments: StatementArguments { [at, ticket, kind, late, json, event] }

    /// Binds ``arguments`` onto the statement's handle by index, without boxing them.
    func bind(to statement: SQLiteStatement) {
        RawBind.reset(statement)
        RawBind.int(at, 1, statement)
        RawBind.text(ticket, 2, statement)
        RawBind.text(kind, 3, statement)
        RawBind.int(late ? 1 : 0, 4, statement)
        RawBind.text(json, 5, statement)
        RawBind.int(event, 6, statement)
    }

    /// The `kind` of the replay format, which both escalations share.
    static func kind(of kind: TimelineRecord.Kind) -> String {
        switch kind {
        case .due: return "due"
        case .warning: return "warning"
        case .breach: return "breach"
        case .met: return "met"
        case .functionalEscalation, .hierarchicalEscalation: return "escalate"
        }
    }
}

/// The one row of `meta`.
struct MetaRow: Codable, Sendable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "meta"

    var id: Int64 = 1
    var firedThrough: Int64?

    enum CodingKeys: String, CodingKey {
        case id
        case firedThrough = "fired_through"
    }
}
