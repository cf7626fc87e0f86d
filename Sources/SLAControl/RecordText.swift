/// Timeline records and ticket events as one readable line each, for `show` and `watch`.
public enum RecordText {
    /// A clock's name for people: `response`, `resolution`, `line 2`.
    public static func clockName(
        _ object: [String: Any], clockKey: String = "clock", lineKey: String = "line"
    ) -> String {
        let clock = JSONFields.string(object, clockKey) ?? "?"
        if clock == "line", let line = JSONFields.int(object, lineKey) { return "line \(line)" }
        return clock
    }

    /// What a timeline record says, without its instant or ticket:
    /// `breach     line 1 (desk-ola)`, `escalated  line 1 -> line 2 (expired)`.
    public static func describe(_ record: [String: Any], instants: InstantFormat) -> String {
        let kind = JSONFields.string(record, "kind") ?? "?"
        let agreement = JSONFields.string(record, "agreement").map { " (\($0))" } ?? ""
        let clock = clockName(record) + agreement
        var text: String
        switch kind {
        case "due":
            let due = JSONFields.string(record, "due").map(instants.format) ?? "?"
            text = label("due") + "\(clock) due \(due)"
        case "warning":
            let percent = JSONFields.int(record, "percent").map { "\($0)%" } ?? "?"
            text = label("warning") + "\(clock) at \(percent) of its target"
        case "breach":
            text = label("BREACH") + clock
        case "met":
            text = label("met") + clock
        case "escalate" where JSONFields.string(record, "type") == "hierarchical":
            let whom = JSONFields.string(record, "to") ?? "?"
            let percent = JSONFields.int(record, "percent").map { " at \($0)%" } ?? ""
            text = label("notified") + "\(whom): \(clockName(record))\(percent)"
        case "escalate":
            let from = JSONFields.int(record, "from").map { "line \($0)" } ?? "?"
            let to = JSONFields.int(record, "to").map { "line \($0)" } ?? "?"
            let reason: String
            switch JSONFields.string(record, "reason") {
            case "expired": reason = " (expired: the line's OLA ran out)"
            case "manual": reason = " (manual: assigned)"
            case let other?: reason = " (\(other))"
            case nil: reason = ""
            }
            text = label("escalated") + "\(from) -> \(to)\(reason)"
        default:
            let known: Set = ["at", "ticket", "kind", "late"]
            text = label(kind) + JSONText.line(record.filter { !known.contains($0.key) })
        }
        if JSONFields.bool(record, "late") == true {
            text += " (late: fired after its instant, when slad learnt of it)"
        }
        return text
    }

    /// A ticket event (the ticket's `events`) as one line: `event      open P2, service mail`.
    public static func describeEvent(_ event: [String: Any]) -> String {
        let name = JSONFields.string(event, "event") ?? "?"
        var details: [String] = []
        if let priority = JSONFields.string(event, "priority") { details.append(priority) }
        if let impact = JSONFields.string(event, "impact") { details.append("impact \(impact)") }
        if let urgency = JSONFields.string(event, "urgency") { details.append("urgency \(urgency)") }
        if let service = JSONFields.string(event, "service") { details.append("service \(service)") }
        if let customer = JSONFields.string(event, "customer") { details.append("customer \(customer)") }
        if let line = JSONFields.int(event, "line") {
            details.append(name == "assign" ? "to line \(line)" : "line \(line)")
        }
        if let reason = JSONFields.string(event, "reason") { details.append(reason) }
        return label("event") + name + (details.isEmpty ? "" : " " + details.joined(separator: ", "))
    }

    /// A `watch` line: `2026-03-02 10:00:00 +00:00  INC-1  breach     line 1 (desk-ola)`.
    public static func watchLine(_ record: [String: Any], instants: InstantFormat) -> String {
        let at = JSONFields.string(record, "at").map(instants.format) ?? "?"
        let ticket = JSONFields.string(record, "ticket") ?? "?"
        return "\(at)  \(ticket)  \(describe(record, instants: instants))"
    }

    static func label(_ word: String) -> String {
        word.count >= 10 ? word + " " : word + String(repeating: " ", count: 10 - word.count)
    }
}
