import Foundation

/// `slactl show` for people: what a ticket is, its clocks, and why each clock is due when it is.
public struct TicketReport {
    /// The `ticket` object of a `GetTicket` reply.
    public let ticket: [String: Any]
    public let instants: InstantFormat

    /// A report of `ticket` (the reply's `ticket`), instants shown by `instants`.
    public init(ticket: [String: Any], instants: InstantFormat = InstantFormat()) {
        self.ticket = ticket
        self.instants = instants
    }

    /// A span during which the ticket waited, from its `pause` and `resume` events.
    public struct PausedSpan {
        public var reason: String
        public var from: String
        /// Nil while the ticket still waits.
        public var until: String?
    }

    /// The whole report, sections separated by blank lines, without a final newline.
    public func render() -> String {
        [header(), clockTable(), explanation(), pausedSection(), timeline()]
            .filter { !$0.isEmpty }
            .joined(separator: "\n\n")
    }

    /// `INC-1: open, priority P2, line 2, SLA gold` and the agreements and pause reason.
    public func header() -> String {
        let id = JSONFields.string(ticket, "ticket") ?? "?"
        let state = JSONFields.string(ticket, "state") ?? "?"
        let priority = JSONFields.string(ticket, "priority") ?? "?"
        let line = JSONFields.int(ticket, "line").map(String.init) ?? "?"
        let sla = JSONFields.string(ticket, "sla") ?? "?"
        var lines = ["\(id): \(state), priority \(priority), line \(line), SLA \(sla)"]
        let agreements = (ticket["agreements"] as? [Any] ?? []).compactMap { $0 as? String }
        if !agreements.isEmpty { lines.append("agreements: " + agreements.joined(separator: ", ")) }
        if let reason = JSONFields.string(ticket, "pause_reason") {
            let since =
                pausedSpans().last(where: { $0.until == nil }).map { " since \(instants.format($0.from))" } ?? ""
            lines.append("waiting: \(reason)\(since)")
        }
        return lines.joined(separator: "\n")
    }

    /// The clocks: clock, agreement, state, counted/target, remaining, due.
    public func clockTable() -> String {
        var table = TextTable([
            .init("CLOCK"), .init("AGREEMENT"), .init("STATE"), .init("COUNTED/TARGET", .right),
            .init("REMAINING", .right), .init("DUE"),
        ])
        for clock in clocks {
            let counted = JSONFields.int(clock, "counted").map(DurationFormat.service) ?? "?"
            let target = JSONFields.int(clock, "target").map(DurationFormat.service) ?? "none"
            table.append([
                RecordText.clockName(clock), JSONFields.string(clock, "agreement") ?? "?",
                JSONFields.string(clock, "state") ?? "?", "\(counted)/\(target)",
                JSONFields.int(clock, "remaining").map(DurationFormat.service) ?? "-",
                JSONFields.string(clock, "due").map(instants.format) ?? "-",
            ])
        }
        return table.render()
    }

    /// One sentence per clock on why it is due when it is (or why it has no due instant).
    public func explanation() -> String {
        guard !clocks.isEmpty else { return "" }
        return "Why each clock is due when it is:\n" + clocks.map { "  " + explain($0) }.joined(separator: "\n")
    }

    /// The clock's sentence: counted time, target, the calendar that counts the rest, the outcome.
    public func explain(_ clock: [String: Any]) -> String {
        let name = RecordText.clockName(clock)
        let agreement = JSONFields.string(clock, "agreement") ?? "?"
        let state = JSONFields.string(clock, "state") ?? "?"
        let counted = JSONFields.int(clock, "counted") ?? 0
        let target = JSONFields.int(clock, "target")
        let remaining = JSONFields.int(clock, "remaining") ?? target.map { $0 - counted }
        let calendarName = JSONFields.string(clock, "calendar") ?? "?"
        let hours = JSONFields.string(clock, "calendar_hours").map { " (\($0))" } ?? ""
        let calendar = "calendar \(calendarName)\(hours)"
        let countedText = DurationFormat.service(counted)
        var sentence = "\(name) (\(agreement)): "
        guard let target else {
            return sentence + "no target for this priority, so no due instant; \(countedText) counted in \(calendar)."
        }
        let ofTarget = "\(countedText) of \(DurationFormat.service(target)) counted"
        switch state {
        case "running":
            if let remaining, remaining > 0, let due = JSONFields.string(clock, "due") {
                sentence +=
                    "\(ofTarget); the other \(DurationFormat.service(remaining)) count only in \(calendar), "
                    + "so it is due \(instants.format(due))."
            } else {
                sentence +=
                    "\(ofTarget) in \(calendar); the target is used up"
                    + (remaining.map { $0 < 0 ? ", over by \(DurationFormat.service(-$0))" : "" } ?? "") + "."
            }
        case "paused":
            let reason = JSONFields.string(ticket, "pause_reason").map { " (\($0))" } ?? ""
            sentence +=
                "paused\(reason), so no due instant until the ticket resumes; \(ofTarget), "
                + "\(DurationFormat.service(max(remaining ?? 0, 0))) left in \(calendar)."
        case "met":
            let at = outcomeInstant("met", of: clock).map { " at \($0)" } ?? ""
            sentence += "met\(at); \(ofTarget)."
        case "breached":
            let at = outcomeInstant("breach", of: clock).map { " at \($0)" } ?? ""
            let over = remaining.map { $0 < 0 ? ", over by \(DurationFormat.service(-$0))" : "" } ?? ""
            sentence +=
                "breached\(at), when \(DurationFormat.service(target)) had counted in \(calendar); "
                + "\(countedText) counted now\(over)."
        default:
            sentence += "\(state); \(ofTarget) in \(calendar)."
        }
        return sentence
    }

    /// The spans the ticket waited, from `pause` to the next `resume` (or `close`); a second `pause`
    /// changes the reason and starts a new span.
    public func pausedSpans() -> [PausedSpan] {
        var spans: [PausedSpan] = []
        var open: PausedSpan?
        for event in JSONFields.objects(ticket, "events") {
            let at = JSONFields.string(event, "at") ?? "?"
            switch JSONFields.string(event, "event") {
            case "pause":
                if var previous = open {
                    previous.until = at
                    spans.append(previous)
                }
                open = PausedSpan(reason: JSONFields.string(event, "reason") ?? "?", from: at, until: nil)
            case "resume", "close":
                if var previous = open {
                    previous.until = at
                    spans.append(previous)
                    open = nil
                }
            default:
                break
            }
        }
        if let open { spans.append(open) }
        return spans
    }

    /// The paused spans as a section, or empty when the ticket never waited.
    public func pausedSection() -> String {
        let spans = pausedSpans()
        guard !spans.isEmpty else { return "" }
        var table = TextTable([.init("FROM"), .init("UNTIL"), .init("WALL CLOCK", .right), .init("REASON")])
        for span in spans {
            var length = ""
            if let until = span.until, let from = instants.parse(span.from), let end = instants.parse(until) {
                length = DurationFormat.span(Int(end.timeIntervalSince(from)))
            }
            table.append([
                instants.format(span.from), span.until.map(instants.format) ?? "still waiting", length, span.reason,
            ])
        }
        return "Paused (the clocks of agreements whose pause_on names the reason stand still; others run on):\n"
            + indent(table.render())
    }

    /// Events and timeline records in instant order (at one instant, events first, as slad applies them).
    public func timeline() -> String {
        var entries: [(date: Date, order: Int, at: String, text: String)] = []
        for event in JSONFields.objects(ticket, "events") {
            let at = JSONFields.string(event, "at") ?? "?"
            entries.append((instants.parse(at) ?? .distantFuture, entries.count, at, RecordText.describeEvent(event)))
        }
        for record in JSONFields.objects(ticket, "timeline") {
            let at = JSONFields.string(record, "at") ?? "?"
            entries.append(
                (
                    instants.parse(at) ?? .distantFuture, entries.count, at,
                    RecordText.describe(record, instants: instants)
                ))
        }
        guard !entries.isEmpty else { return "" }
        entries.sort { ($0.date, $0.order) < ($1.date, $1.order) }
        return "Timeline:\n" + entries.map { "  \(instants.format($0.at))  \($0.text)" }.joined(separator: "\n")
    }

    private var clocks: [[String: Any]] { JSONFields.objects(ticket, "clocks") }

    /// The instant of the timeline's `kind` record (met, breach) for this clock, formatted.
    private func outcomeInstant(_ kind: String, of clock: [String: Any]) -> String? {
        let name = JSONFields.string(clock, "clock")
        let line = JSONFields.int(clock, "line")
        let record = JSONFields.objects(ticket, "timeline").last {
            JSONFields.string($0, "kind") == kind && JSONFields.string($0, "clock") == name
                && (name != "line" || JSONFields.int($0, "line") == line)
        }
        return record.flatMap { JSONFields.string($0, "at") }.map(instants.format)
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
