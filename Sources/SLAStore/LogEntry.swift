import SLACore
import SLAWire

/// A ticket event as the log keeps it: what the engine applied, and who sent it when.
///
/// Recovery re-applies `event` at `at`; the other fields are there so an operator can tell a late or
/// back-dated submission (`requestedAt` differs from `received`) and whose client sent it.
public struct StoredEvent: Sendable, Equatable {
    /// The event's place in the log, shared with configuration changes; 0 until the store assigns it.
    public var seq: Int64
    /// The instant the engine applied the event at: what recovery must apply it at again.
    public var at: Instant
    /// The `at` the client sent, if any: kept apart from `at` because the daemon decides the instant
    /// it applies an event at, and an audit must still show what the client asked for.
    public var requestedAt: Instant?
    /// The wall clock when slad received the event.
    public var received: Instant
    /// The peer uid of the client that sent it, for the audit trail.
    public var actor: UInt32
    public var event: TicketEvent

    public init(
        seq: Int64 = 0, at: Instant, requestedAt: Instant? = nil, received: Instant, actor: UInt32,
        event: TicketEvent
    ) {
        self.seq = seq
        self.at = at
        self.requestedAt = requestedAt
        self.received = received
        self.actor = actor
        self.event = event
    }
}

/// A configuration the daemon loaded (at start or on reload), kept whole in the log.
///
/// Recovery must apply each event under the configuration that was in force when it was accepted,
/// and the file on disk may have changed since, so the log keeps the text rather than the path alone.
public struct ConfigurationChange: Sendable, Equatable {
    /// The change's place in the log, shared with events; 0 until the store assigns it.
    public var seq: Int64
    /// The instant the configuration took effect.
    public var at: Instant
    /// Where the text was read from, for messages.
    public var path: String
    /// The YAML text as loaded.
    public var text: String

    public init(seq: Int64 = 0, at: Instant, path: String, text: String) {
        self.seq = seq
        self.at = at
        self.path = path
        self.text = text
    }
}

/// One entry of the append-only log that recovery replays, in `seq` order.
public enum LogEntry: Sendable, Equatable {
    case event(StoredEvent)
    case configuration(ConfigurationChange)

    /// The entry's place in the log.
    public var seq: Int64 {
        get {
            switch self {
            case .event(let event): return event.seq
            case .configuration(let change): return change.seq
            }
        }
        set {
            switch self {
            case .event(var event):
                event.seq = newValue
                self = .event(event)
            case .configuration(var change):
                change.seq = newValue
                self = .configuration(change)
            }
        }
    }
}

/// A timeline record as stored: late records fired after their instant (after a restart, say) and
/// say so, because a breach noticed an hour late is a different fact from one noticed on time.
public struct StoredRecord: Sendable, Equatable {
    public let record: TimelineRecord
    public let late: Bool
    /// The record in the replay format, as stored and as watchers get it. Made once, where the record
    /// is made (the engine's queue), so the store's writer thread, which every commit waits for, and
    /// the feed to watchers do not each encode it again.
    public let line: String

    public init(record: TimelineRecord, late: Bool = false) {
        self.record = record
        self.late = late
        self.line = RecordFormat.encode(record, late: late)
    }
}

/// What one engine step must make durable together.
///
/// An event and the records it caused land in the same transaction, so after a crash either both
/// are there or neither is, and a record is never fired twice nor lost across a restart.
public struct CommitUnit: Sendable {
    /// Appended in order; the store assigns `seq`.
    public var log: [LogEntry]
    /// Appended in order.
    public var records: [StoredRecord]
    /// When set, the store's fired-through instant becomes the later of the stored one and this.
    /// Deadlines up to it have fired and their records are stored: after a restart only what falls
    /// after it may fire again, so each record fires exactly once.
    public var firedThrough: Instant?
    /// What reports count of this step, appended in order (table `outcome`).
    public var outcomes: [StoredOutcome]
    /// Notifications the records cause, written with them (the transactional outbox).
    public var notifications: [OutboxEntry] = []
    /// Tickets the unit resolved or closed: their pending notifications are cancelled with it.
    public var settledTickets: [String] = []

    public init(
        log: [LogEntry] = [], records: [StoredRecord] = [], firedThrough: Instant? = nil,
        outcomes: [StoredOutcome] = []
    ) {
        self.log = log
        self.records = records
        self.firedThrough = firedThrough
        self.outcomes = outcomes
    }
}
