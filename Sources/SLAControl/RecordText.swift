import SLAContract
import SLAJSON

/// Timeline records and ticket events as one readable line each, for `show` and `watch`.
///
/// A record is a JSON object in the replay output format (`type Ticket`'s `timeline: []object`, `Watch`'s
/// `record: object`); its kinds are read here member by member, each text escaped for the terminal.
public enum RecordText {
    /// A clock's name for people: `response`, `resolution`, `line 2`.
    public static func clockName(_ clock: String, line: Int?) -> String {
        if clock == "line", let line { return "line \(line)" }
        return TerminalText.escaped(clock)
    }

    /// The clock a record names (`clock`, and `line` for a line clock).
    static func clockName(of record: JSONValue) -> String {
        clockName(text(record, "clock") ?? "?", line: int(record, "line"))
    }

    /// What a timeline record says, without its instant or ticket:
    /// `breach     line 1 (desk-ola)`, `escalated  line 1 -> line 2 (expired)`.
    public static func describe(_ record: JSONValue, instants: InstantFormat) -> String {
        let kind = text(record, "kind") ?? "?"
        let agreement = text(record, "agreement").map { " (\($0))" } ?? ""
        let clock = clockName(of: record) + agreement
        var line: String
        switch kind {
        case "due":
            let due = record["due"]?.string.map(instants.format) ?? "?"
            line = label("due") + "\(clock) due \(due)"
        case "warning":
            let percent = int(record, "percent").map { "\($0)%" } ?? "?"
            line = label("warning") + "\(clock) at \(percent) of its target"
        case "breach":
            line = label("BREACH") + clock
        case "met":
            line = label("met") + clock
        case "escalate" where text(record, "type") == "hierarchical":
            let whom = text(record, "to") ?? "?"
            let percent = int(record, "percent").map { " at \($0)%" } ?? ""
            line = label("notified") + "\(whom): \(clockName(of: record))\(percent)"
        case "escalate":
            let from = int(record, "from").map { "line \($0)" } ?? "?"
            let to = int(record, "to").map { "line \($0)" } ?? "?"
            let reason: String
            switch text(record, "reason") {
            case "expired": reason = " (expired: the line's OLA ran out)"
            case "manual": reason = " (manual: assigned)"
            case let other?: reason = " (\(other))"
            case nil: reason = ""
            }
            line = label("escalated") + "\(from) -> \(to)\(reason)"
        default:
            let known: Set = ["at", "ticket", "kind", "late"]
            let rest = (record.object ?? [:]).filter { !known.contains($0.key) }
            line = label(kind) + TerminalText.escaped(JSONValue.object(rest).encodedString())
        }
        if record["late"]?.bool == true {
            line += " (late: fired after its instant, when slad learnt of it)"
        }
        return line
    }

    /// A ticket event (the ticket's `events`) as one line: `event      open P2, service mail`.
    public static func describeEvent(_ event: SlaInterface.Event) -> String {
        let show = TerminalText.escaped
        var details: [String] = []
        if let priority = event.priority { details.append(show(priority)) }
        if let impact = event.impact { details.append("impact \(show(impact))") }
        if let urgency = event.urgency { details.append("urgency \(show(urgency))") }
        if let service = event.service { details.append("service \(show(service))") }
        if let customer = event.customer { details.append("customer \(show(customer))") }
        if let line = event.line {
            details.append(event.kind == .assign ? "to line \(line)" : "line \(line)")
        }
        if let reason = event.reason { details.append(show(reason)) }
        return label("event") + show(event.event) + (details.isEmpty ? "" : " " + details.joined(separator: ", "))
    }

    /// A `watch` line: `2026-03-02 10:00:00 +00:00  INC-1  breach     line 1 (desk-ola)`.
    public static func watchLine(_ record: JSONValue, instants: InstantFormat) -> String {
        let at = record["at"]?.string.map(instants.format) ?? "?"
        let ticket = text(record, "ticket") ?? "?"
        return "\(at)  \(ticket)  \(describe(record, instants: instants))"
    }

    static func label(_ word: String) -> String {
        word.count >= 10 ? word + " " : word + String(repeating: " ", count: 10 - word.count)
    }

    /// The record's string member, escaped for the terminal.
    private static func text(_ record: JSONValue, _ key: String) -> String? {
        record[key]?.string.map(TerminalText.escaped)
    }

    /// The record's whole-number member.
    private static func int(_ record: JSONValue, _ key: String) -> Int? {
        record[key]?.int.flatMap { Int(exactly: $0) }
    }
}
