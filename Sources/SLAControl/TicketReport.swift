import Foundation
import SLAContract

/// `slactl show` for people: what a ticket is, its clocks, and why each clock is due when it is.
/// Every text from slad is escaped for the terminal (``TerminalText``).
public struct TicketReport {
    /// The `ticket` of a `GetTicket` reply.
    public let ticket: SlaInterface.Ticket
    public let instants: InstantFormat

    /// A report of `ticket` (the reply's `ticket`), instants shown by `instants`.
    public init(ticket: SlaInterface.Ticket, instants: InstantFormat = InstantFormat()) {
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
        let show = TerminalText.escaped
        var lines = [
            "\(show(ticket.ticket)): \(show(ticket.state)), priority \(show(ticket.priority)), line \(ticket.line), "
                + "SLA \(show(ticket.sla))"
        ]
        if !ticket.agreements.isEmpty { lines.append("agreements: " + ticket.agreements.map(show).joined(separator: ", ")) }
        if let reason = ticket.pauseReason {
            let since =
                pausedSpans().last(where: { $0.until == nil }).map { " since \(instants.format($0.from))" } ?? ""
            lines.append("waiting: \(show(reason))\(since)")
        }
        return lines.joined(separator: "\n")
    }

    /// The clocks: clock, agreement, state, counted/target, remaining, due.
    public func clockTable() -> String {
        var table = TextTable([
            .init("CLOCK"), .init("AGREEMENT"), .init("STATE"), .init("COUNTED/TARGET", .right),
            .init("REMAINING", .right), .init("DUE"),
        ])
        for clock in ticket.clocks {
            let counted = ServiceDuration.forPeople(clock.counted)
            let target = clock.target.map(ServiceDuration.forPeople) ?? "none"
            table.append([
                RecordText.clockName(clock.clock, line: clock.line), clock.agreement, clock.state,
                "\(counted)/\(target)", clock.remaining.map(ServiceDuration.forPeople) ?? "-",
                clock.due.map(instants.format) ?? "-",
            ])
        }
        return table.render()
    }

    /// One sentence per clock on why it is due when it is (or why it has no due instant).
    public func explanation() -> String {
        guard !ticket.clocks.isEmpty else { return "" }
        return "Why each clock is due when it is:\n" + ticket.clocks.map { "  " + explain($0) }.joined(separator: "\n")
    }

    /// The clock's sentence: counted time, target, the calendar that counts the rest, the outcome.
    public func explain(_ clock: SlaInterface.Clock) -> String {
        let show = TerminalText.escaped
        let name = RecordText.clockName(clock.clock, line: clock.line)
        let agreement = show(clock.agreement)
        let state = clock.state
        let counted = clock.counted
        let target = clock.target
        let remaining = clock.remaining ?? target.map { $0 - counted }
        let hours = clock.calendarHours.isEmpty ? "" : " (\(show(clock.calendarHours)))"
        let calendar = "calendar \(show(clock.calendar))\(hours)"
        let countedText = ServiceDuration.forPeople(counted)
        var sentence = "\(name) (\(agreement)): "
        guard let target else {
            return sentence + "no target for this priority, so no due instant; \(countedText) counted in \(calendar)."
        }
        let ofTarget = "\(countedText) of \(ServiceDuration.forPeople(target)) counted"
        switch state {
        case "running":
            if let remaining, remaining > 0, let due = clock.due {
                sentence +=
                    "\(ofTarget); the other \(ServiceDuration.forPeople(remaining)) count only in \(calendar), "
                    + "so it is due \(instants.format(due))."
            } else {
                sentence +=
                    "\(ofTarget) in \(calendar); the target is used up"
                    + (remaining.map { $0 < 0 ? ", over by \(ServiceDuration.forPeople(-$0))" : "" } ?? "") + "."
            }
        case "paused":
            let reason = ticket.pauseReason.map { " (\(show($0)))" } ?? ""
            sentence +=
                "paused\(reason), so no due instant until the ticket resumes; \(ofTarget), "
                + "\(ServiceDuration.forPeople(max(remaining ?? 0, 0))) left in \(calendar)."
        case "met":
            let at = outcomeInstant("met", of: clock).map { " at \($0)" } ?? ""
            sentence += "met\(at); \(ofTarget)."
        case "breached":
            let at = outcomeInstant("breach", of: clock).map { " at \($0)" } ?? ""
            let over = remaining.map { $0 < 0 ? ", over by \(ServiceDuration.forPeople(-$0))" : "" } ?? ""
            sentence +=
                "breached\(at), when \(ServiceDuration.forPeople(target)) had counted in \(calendar); "
                + "\(countedText) counted now\(over)."
        default:
            sentence += "\(show(state)); \(ofTarget) in \(calendar)."
        }
        return sentence
    }

    /// The spans the ticket waited, from `pause` to the next `resume` (or `close`); a second `pause`
    /// changes the reason and starts a new span.
    public func pausedSpans() -> [PausedSpan] {
        var spans: [PausedSpan] = []
        var open: PausedSpan?
        for event in ticket.events {
            let at = event.at ?? "?"
            switch event.kind {
            case .pause:
                if var previous = open {
                    previous.until = at
                    spans.append(previous)
                }
                open = PausedSpan(reason: event.reason ?? "?", from: at, until: nil)
            case .resume, .close:
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
                length = ServiceDuration.span(Int(end.timeIntervalSince(from)))
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
        for event in ticket.events {
            let at = event.at ?? "?"
            entries.append((instants.parse(at) ?? .distantFuture, entries.count, at, RecordText.describeEvent(event)))
        }
        for record in ticket.timeline {
            let at = record["at"]?.string ?? "?"
            entries.append(
                (instants.parse(at) ?? .distantFuture, entries.count, at, RecordText.describe(record, instants: instants)))
        }
        guard !entries.isEmpty else { return "" }
        entries.sort { ($0.date, $0.order) < ($1.date, $1.order) }
        return "Timeline:\n" + entries.map { "  \(instants.format($0.at))  \($0.text)" }.joined(separator: "\n")
    }

    /// The instant of the timeline's `kind` record (met, breach) for this clock, formatted.
    private func outcomeInstant(_ kind: String, of clock: SlaInterface.Clock) -> String? {
        let record = ticket.timeline.last {
            $0["kind"]?.string == kind && $0["clock"]?.string == clock.clock
                && (clock.clock != "line" || $0["line"]?.int.flatMap { Int(exactly: $0) } == clock.line)
        }
        return record?["at"]?.string.map(instants.format)
    }

    private func indent(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
