import SLAContract
import SLAControl
import SLAJSON
import Testing

/// Text with each kind of control character a hostile field may carry.
let hostile = "a\u{1B}]0;title\u{07}\u{1B}[2J\r\n\t\u{0}\u{7F}\u{9B}z"

/// Whether `text` has a control character other than the newlines between lines.
func hasControls(_ text: String) -> Bool {
    text.unicodeScalars.contains { $0 != "\n" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value)) }
}

@Suite("Control characters from slad never reach the terminal")
struct EscapingTests {
    @Test("each control character becomes \\xHH; other text, a backslash included, stays")
    func escapingForm() {
        #expect(TerminalText.escaped(hostile) == #"a\x1b]0;title\x07\x1b[2J\x0d\x0a\x09\x00\x7f\x9bz"#)
        #expect(TerminalText.escaped(#"café \ ✓"#) == #"café \ ✓"#)
        #expect(TerminalText.escapedLines("a\u{1B}\nb") == "a\\x1b\nb")
    }

    @Test("every table and sentence escapes every text field, and no field adds a line")
    func allOutput() {
        let event = SlaInterface.Event(
            ticket: hostile, event: hostile, at: hostile, priority: hostile, impact: hostile, urgency: hostile,
            service: hostile, customer: hostile, line: 2, reason: hostile)
        let pause = SlaInterface.Event(ticket: hostile, kind: .pause, at: "2026-03-02T09:00:00Z", reason: hostile)
        let record: JSONValue = [
            "at": .string(hostile), "ticket": .string(hostile), "kind": .string(hostile), "clock": .string(hostile),
            "agreement": .string(hostile), "due": .string(hostile), "to": .string(hostile),
            "reason": .string(hostile), "extra": .string(hostile),
        ]
        let records: [JSONValue] = ["due", "warning", "breach", "met", "escalate"].map { kind in
            var members = record.object!
            members["kind"] = .string(kind)
            return .object(members)
        } + [record, ["kind": "escalate", "type": "hierarchical", "to": .string(hostile)]]
        let clock = SlaInterface.Clock(
            clock: hostile, agreement: hostile, calendar: hostile, calendarHours: hostile, state: hostile, counted: 60,
            target: 120, remaining: 60, due: hostile)
        let ticket = SlaInterface.Ticket(
            ticket: hostile, state: hostile, priority: hostile, line: 1, sla: hostile, agreements: [hostile],
            pauseReason: hostile, clocks: [clock, clock], events: [event, pause], timeline: records)
        let summary = SlaInterface.TicketSummary(
            ticket: hostile, state: hostile, priority: hostile, line: 1, sla: hostile, breached: true, clock: hostile,
            agreement: hostile, due: hostile)
        let status = SlaInterface.Status.Reply(
            version: hostile, uptime: 1, config: hostile, configLoaded: hostile, openTickets: 1, armedTimers: 1,
            breaches: 0, nextDue: hostile)
        let errors: [ControlError] = [
            .remote(name: SlaInterface.Errors.unknownTicket, parameters: ["ticket": .string(hostile)]),
            .remote(name: SlaInterface.Errors.invalidEvent, parameters: ["index": 0, "message": .string(hostile)]),
            .remote(name: SlaInterface.Errors.invalidParameter, parameters: ["parameter": .string(hostile)]),
            .remote(name: hostile, parameters: ["x": .string(hostile)]),
        ]
        let report = TicketReport(ticket: ticket, instants: utc)
        let outputs: [(String, String, Int)] = [
            ("show", report.render(), 0), ("header", report.header(), 3), ("explanation", report.explanation(), 3),
            ("timeline", report.timeline(), 1 + 2 + records.count),
            ("list", TicketListing.render(.init(tickets: [summary]), instants: utc, empty: ""), 2),
            ("status", StatusReport.render(status, instants: utc), 6),
            ("event sentence", event.summary, 1), ("pause sentence", pause.summary, 1),
        ] + records.map { ("watch", RecordText.watchLine($0, instants: utc), 1) }
            + errors.map { ("error", $0.description, 1) }
        for (name, text, lines) in outputs {
            #expect(!hasControls(text), "\(name): \(text.debugDescription)")
            if lines > 0 {
                #expect(text.split(separator: "\n", omittingEmptySubsequences: false).count == lines, "\(name): \(text)")
            }
        }
    }
}
