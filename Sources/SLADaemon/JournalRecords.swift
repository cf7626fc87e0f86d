import Logging
import SLACore
import SLAStore
import SLASystemd
import SLAWire

/// The `MESSAGE_ID` of each kind of journal entry slad writes; `systemd/slad.catalog` explains each.
///
/// Fixed for good (made once with `journalctl --new-id128`): scripts and catalogs select on them.
public enum SladMessageID {
    // Timeline records.
    public static let due = "3d62562748db4385bead91420f5fa5ef"
    public static let warning = "1fc5c91909d340439a6e5ac6952e6236"
    public static let breach = "c8cb0a30ebd64406a9fc6ea855f5d4a8"
    public static let met = "38472db0974a409d8cc33e9f5b5b2fa9"
    public static let functionalEscalation = "58eea3a7653f4dc28f6af1f1c041c82f"
    public static let hierarchicalEscalation = "7721bd50623e49a9ad0e9560bf5e7824"
    // The daemon's life.
    public static let start = "bce7aba47ac145c3b782ccdf9ba341db"
    public static let recovery = "f6c0de2f86034c5399a70606803127ef"
    public static let ready = "8cb850826f3a401fb450c3ec2bde3923"
    public static let reloadApplied = "0e7c6d1256a745769d8572612dc221ef"
    public static let reloadRefused = "0342939fe63a4d6fa000a963cdfe679e"
    public static let shutdown = "0a99c4d7b06d47a38c4b968a5c321b47"
    public static let storeFailed = "4821a4aa28844fdda16dcbba680a6331"
    // Notifications (issue 11).
    public static let notificationFailed = "9b1f3c0e5d7a4e2b8c6f41d2a7e05b93"
}

/// Timeline records as structured journal entries, so that `journalctl SLAD_TICKET=INC-1` is the
/// ticket's history and `journalctl -x` explains each entry from the catalog.
///
/// Priorities (syslog levels), chosen so that `journalctl -p warning` shows what needs a person:
///
/// | record                                   | PRIORITY  |
/// |------------------------------------------|-----------|
/// | due, met                                 | 6 info    |
/// | warning (a threshold before the breach)  | 5 notice  |
/// | functional escalation to line 2 or 3     | 5 notice  |
/// | breach (any clock)                       | 4 warning |
/// | functional escalation to line 4 (vendor) | 3 err     |
/// | hierarchical escalation (management)     | 2 crit    |
///
/// An escalation to the vendor means a UC and an external party are now involved, and one to
/// management means an SLA is at risk or lost: both rank above the breach that led to them.
public enum RecordJournal {
    /// The journal entry of one record.
    public static func entry(for published: PublishedRecord) -> JournalEntry {
        let record = published.stored.record
        let ticket = record.ticket
        var kind: String
        var messageID: String
        var priority: Int
        var message: String
        var fields: [(String, String)] = []
        func clock(_ clock: ClockID, _ agreement: String?) {
            fields.append(("SLAD_CLOCK", clock.kind.rawValue))
            if let line = clock.line { fields.append(("SLAD_LINE", String(line))) }
            if let agreement { fields.append(("SLAD_AGREEMENT", agreement)) }
        }
        func named(_ id: ClockID, _ agreement: String) -> String { "the \(id) clock under \(agreement)" }
        switch record.kind {
        case .due(let id, let agreement, let due):
            (kind, messageID, priority) = ("due", SladMessageID.due, 6)
            clock(id, agreement)
            fields.append(("SLAD_DUE", Timestamp.format(due)))
            message = "\(ticket): \(named(id, agreement)) is due at \(Timestamp.format(due))"
        case .warning(let id, let agreement, let percent):
            (kind, messageID, priority) = ("warning", SladMessageID.warning, 5)
            clock(id, agreement)
            fields.append(("SLAD_PERCENT", String(percent)))
            message = "\(ticket): \(named(id, agreement)) has used \(percent)% of its target"
        case .breach(let id, let agreement):
            (kind, messageID, priority) = ("breach", SladMessageID.breach, 4)
            clock(id, agreement)
            message = "\(ticket): \(named(id, agreement)) is breached"
        case .met(let id, let agreement):
            (kind, messageID, priority) = ("met", SladMessageID.met, 6)
            clock(id, agreement)
            message = "\(ticket): \(named(id, agreement)) was met"
        case .functionalEscalation(let from, let to, let reason):
            (kind, messageID, priority) = ("escalate", SladMessageID.functionalEscalation, to >= 4 ? 3 : 5)
            fields.append(("SLAD_ESCALATION", "functional"))
            fields.append(("SLAD_LINE", String(from)))
            fields.append(("SLAD_TARGET", String(to)))
            fields.append(("SLAD_REASON", reason.rawValue))
            let why = reason == .expired ? "its OLA time on line \(from) ran out" : "it was assigned"
            message = "\(ticket): escalated from line \(from) to line \(to) (\(why))"
        case .hierarchicalEscalation(let to, let id, let percent):
            (kind, messageID, priority) = ("escalate", SladMessageID.hierarchicalEscalation, 2)
            fields.append(("SLAD_ESCALATION", "hierarchical"))
            clock(id, nil)
            fields.append(("SLAD_TARGET", to))
            fields.append(("SLAD_PERCENT", String(percent)))
            message = "\(ticket): \(to) is told: the \(id) clock has used \(percent)% of its target"
        }
        if published.stored.late { message += " (fired late: slad was not running at \(Timestamp.format(record.at)))" }
        var entry = JournalEntry(message: message, priority: priority)
        entry.add("MESSAGE_ID", messageID)
        entry.add("SYSLOG_IDENTIFIER", "slad")
        entry.add("SLAD_TICKET", ticket)
        entry.add("SLAD_KIND", kind)
        entry.add("SLAD_AT", Timestamp.format(record.at))
        if let level = published.ticketPriority { entry.add("SLAD_PRIORITY", level) }
        for (name, value) in fields { entry.add(name, value) }
        if published.stored.late { entry.add("SLAD_LATE", "1") }
        return entry
    }
}

/// Metadata that makes a lifecycle log line a catalogued journal entry (`MESSAGE_ID` and slad's
/// fields); the stderr handler prints it as ordinary metadata.
enum Lifecycle {
    static func metadata(_ messageID: String, _ fields: [String: String] = [:]) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["MESSAGE_ID": .string(messageID)]
        for (key, value) in fields { metadata[key] = .string(value) }
        return metadata
    }
}
