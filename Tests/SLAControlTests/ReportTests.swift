import Foundation
import SLAContract
import SLAControl
import SLAJSON
import Testing

/// A GetTicket reply's `ticket`, in the shape of the interface's Ticket type: a P2 ticket whose line 1
/// OLA ran out (escalated to line 2), that waited once for a vendor and now waits for the customer.
let pausedTicket = """
    {"ticket":"INC-1","state":"open","priority":"P2","line":2,"sla":"gold",
     "agreements":["gold","desk-ola","ops-ola"],"pause_reason":"waiting-customer",
     "clocks":[
      {"clock":"response","agreement":"gold","calendar":"always","calendar_hours":"24x7 UTC",
       "state":"met","counted":720,"target":14400,"remaining":13680,"due":null},
      {"clock":"resolution","agreement":"gold","calendar":"always","calendar_hours":"24x7 UTC",
       "state":"paused","counted":3900,"target":28800,"remaining":24900},
      {"clock":"line","line":1,"agreement":"desk-ola","calendar":"office",
       "calendar_hours":"mon-fri 08:00-13:00, 14:00-18:00 Europe/Berlin",
       "state":"breached","counted":2100,"target":1800,"remaining":-300},
      {"clock":"line","line":2,"agreement":"ops-ola","calendar":"office",
       "calendar_hours":"mon-fri 08:00-13:00, 14:00-18:00 Europe/Berlin",
       "state":"running","counted":1200,"target":7200,"remaining":6000,"due":"2026-03-02T15:40:00Z"}],
     "events":[
      {"at":"2026-03-02T09:00:00Z","ticket":"INC-1","event":"open","priority":"P2","service":"mail"},
      {"at":"2026-03-02T09:12:00Z","ticket":"INC-1","event":"respond"},
      {"at":"2026-03-02T09:40:00Z","ticket":"INC-1","event":"pause","reason":"waiting-vendor"},
      {"at":"2026-03-02T09:50:00Z","ticket":"INC-1","event":"resume"},
      {"at":"2026-03-02T10:15:00Z","ticket":"INC-1","event":"pause","reason":"waiting-customer"}],
     "timeline":[
      {"at":"2026-03-02T09:00:00Z","ticket":"INC-1","kind":"due","clock":"response","agreement":"gold","due":"2026-03-02T13:00:00Z"},
      {"at":"2026-03-02T09:12:00Z","ticket":"INC-1","kind":"met","clock":"response","agreement":"gold"},
      {"at":"2026-03-02T09:30:00Z","ticket":"INC-1","kind":"breach","clock":"line","line":1,"agreement":"desk-ola"},
      {"at":"2026-03-02T09:30:00Z","ticket":"INC-1","kind":"escalate","type":"functional","from":1,"to":2,"reason":"expired"},
      {"at":"2026-03-02T09:30:00Z","ticket":"INC-1","kind":"due","clock":"line","line":2,"agreement":"ops-ola","due":"2026-03-02T11:30:00Z"},
      {"at":"2026-03-02T10:05:00Z","ticket":"INC-1","kind":"escalate","type":"hierarchical","to":"duty-manager","clock":"resolution","percent":90,"late":true}]}
    """

/// A record of the interface read from its JSON text.
func record<Record: VarlinkRecord>(_ json: String, as type: Record.Type = Record.self) throws -> Record {
    try Record(value: try JSONValue.decode(json))
}

/// A ticket with nothing but what the type requires, and these events.
func bareTicket(events: [SlaInterface.Event] = []) -> SlaInterface.Ticket {
    SlaInterface.Ticket(
        ticket: "INC-1", state: "open", priority: "P2", line: 1, sla: "gold", agreements: [], clocks: [],
        events: events, timeline: [])
}

/// The line of `text` that starts with `prefix` (after indentation).
func line(_ text: String, startingWith prefix: String) -> String? {
    text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix(prefix) }
}

@Suite("slactl show: the ticket report")
struct TicketReportTests {
    @Test("the header names state, priority, line, SLA and what the ticket waits for since when")
    func header() throws {
        let report = TicketReport(ticket: try record(pausedTicket, as: SlaInterface.Ticket.self), instants: utc)
        #expect(
            report.header() == """
                INC-1: open, priority P2, line 2, SLA gold
                agreements: gold, desk-ola, ops-ola
                waiting: waiting-customer since 2026-03-02 10:15:00 +00:00
                """)
    }

    @Test("the clock table shows counted/target, remaining and due per clock")
    func clockTable() throws {
        let table = TicketReport(ticket: try record(pausedTicket, as: SlaInterface.Ticket.self), instants: utc).clockTable()
        #expect(table.split(separator: "\n").first == "CLOCK       AGREEMENT  STATE     COUNTED/TARGET  REMAINING  DUE")
        #expect(
            line(table, startingWith: "line 2")
                == "line 2      ops-ola    running     20m00s/2h00m      1h40m  2026-03-02 15:40:00 +00:00")
        #expect(line(table, startingWith: "line 1") == "line 1      desk-ola   breached   35m00s/30m00s     -5m00s  -")
        #expect(
            line(table, startingWith: "resolution") == "resolution  gold       paused       1h05m/8h00m      6h55m  -")
    }

    @Test("each clock's sentence explains its due instant from counted time and the calendar's hours")
    func explanation() throws {
        let text = TicketReport(ticket: try record(pausedTicket, as: SlaInterface.Ticket.self), instants: utc).explanation()
        #expect(
            line(text, startingWith: "line 2") == "line 2 (ops-ola): 20m00s of 2h00m counted; the other 1h40m count "
                + "only in calendar office (mon-fri 08:00-13:00, 14:00-18:00 Europe/Berlin), so it is due 2026-03-02 15:40:00 +00:00."
        )
        #expect(
            line(text, startingWith: "line 1")
                == "line 1 (desk-ola): breached at 2026-03-02 09:30:00 +00:00, when 30m00s "
                + "had counted in calendar office (mon-fri 08:00-13:00, 14:00-18:00 Europe/Berlin); 35m00s counted now, over by 5m00s."
        )
        #expect(
            line(text, startingWith: "resolution") == "resolution (gold): paused (waiting-customer), so no due instant "
                + "until the ticket resumes; 1h05m of 8h00m counted, 6h55m left in calendar always (24x7 UTC).")
        #expect(
            line(text, startingWith: "response")
                == "response (gold): met at 2026-03-02 09:12:00 +00:00; 12m00s of 4h00m counted.")
    }

    @Test("a clock without a target says it has no due instant")
    func noTarget() {
        let clock = SlaInterface.Clock(
            clock: "response", agreement: "gold", calendar: "always", calendarHours: "", state: "running", counted: 60)
        #expect(
            TicketReport(ticket: bareTicket(), instants: utc).explain(clock)
                == "response (gold): no target for this priority, so no due instant; 1m00s counted in calendar always.")
    }

    @Test("paused spans run from pause to resume; a pause without resume is still waiting")
    func pausedSpans() throws {
        let report = TicketReport(ticket: try record(pausedTicket, as: SlaInterface.Ticket.self), instants: utc)
        let spans = report.pausedSpans()
        #expect(spans.map(\.reason) == ["waiting-vendor", "waiting-customer"])
        #expect(spans.map(\.until) == ["2026-03-02T09:50:00Z", nil])
        let section = report.pausedSection()
        #expect(
            line(section, startingWith: "2026-03-02 09:40:00")
                == "2026-03-02 09:40:00 +00:00  2026-03-02 09:50:00 +00:00      10m00s  waiting-vendor")
        #expect(
            line(section, startingWith: "2026-03-02 10:15:00")
                == "2026-03-02 10:15:00 +00:00  still waiting                           waiting-customer")
    }

    @Test("a second pause changes the reason: one span ends and the next begins")
    func pauseChangesReason() {
        let ticket = bareTicket(events: [
            .init(ticket: "INC-1", kind: .pause, at: "2026-03-02T09:00:00Z", reason: "waiting-customer"),
            .init(ticket: "INC-1", kind: .pause, at: "2026-03-02T09:30:00Z", reason: "waiting-vendor"),
            .init(ticket: "INC-1", kind: .close, at: "2026-03-02T10:00:00Z"),
        ])
        let spans = TicketReport(ticket: ticket, instants: utc).pausedSpans()
        #expect(spans.map(\.reason) == ["waiting-customer", "waiting-vendor"])
        #expect(spans.map(\.until) == ["2026-03-02T09:30:00Z", "2026-03-02T10:00:00Z"])
    }

    @Test("the timeline merges events and records by instant, events first, and marks late firings and escalations")
    func timeline() throws {
        let text = TicketReport(ticket: try record(pausedTicket, as: SlaInterface.Ticket.self), instants: utc).timeline()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "Timeline:")
        #expect(lines[1] == "  2026-03-02 09:00:00 +00:00  event     open P2, service mail")
        #expect(lines[2] == "  2026-03-02 09:00:00 +00:00  due       response (gold) due 2026-03-02 13:00:00 +00:00")
        #expect(
            lines.contains("  2026-03-02 09:30:00 +00:00  escalated line 1 -> line 2 (expired: the line's OLA ran out)")
        )
        #expect(lines.contains("  2026-03-02 09:30:00 +00:00  BREACH    line 1 (desk-ola)"))
        #expect(
            lines.contains(
                "  2026-03-02 10:05:00 +00:00  notified  duty-manager: resolution at 90% (late: fired after its instant, when slad learnt of it)"
            ))
        let pause = try #require(lines.firstIndex { $0.contains("event     pause waiting-customer") })
        let late = try #require(lines.firstIndex { $0.contains("notified") })
        #expect(late < pause, "10:05 comes before 10:15")
        #expect(lines.count == 1 + 5 + 6)
    }

    @Test("the whole report has all sections in order")
    func whole() throws {
        let text = TicketReport(ticket: try record(pausedTicket, as: SlaInterface.Ticket.self), instants: utc).render()
        let headings = ["INC-1: open", "CLOCK", "Why each clock", "Paused (", "Timeline:"]
        let positions = headings.compactMap { text.range(of: $0)?.lowerBound }
        #expect(positions.count == headings.count)
        #expect(positions == positions.sorted())
    }
}

@Suite("slactl list, status and watch lines")
struct ListingTests {
    @Test("the ticket list names each ticket's most urgent clock; breached tickets say so")
    func listing() throws {
        let reply = try record(
            """
            {"tickets":[
             {"ticket":"INC-2","state":"open","priority":"P1","line":1,"sla":"gold","breached":true,
              "clock":"resolution","agreement":"gold","due":"2026-03-02T10:00:00Z","remaining":-600},
             {"ticket":"INC-10","state":"open","priority":"P3","line":2,"sla":"standard","breached":false,
              "clock":"line","clock_line":2,"agreement":"ops-ola","due":"2026-03-02T12:00:00Z","remaining":5400},
             {"ticket":"INC-11","state":"resolved","priority":"P4","line":1,"sla":"standard","breached":false}]}
            """, as: SlaInterface.ListTickets.Reply.self)
        #expect(
            TicketListing.render(reply, instants: utc, empty: "none") == """
                TICKET  STATE     PRIORITY  LINE  SLA       BREACHED  NEXT CLOCK  AGREEMENT  REMAINING  DUE
                INC-2   open      P1           1  gold      yes       resolution  gold         -10m00s  2026-03-02 10:00:00 +00:00
                INC-10  open      P3           2  standard            line 2      ops-ola        1h30m  2026-03-02 12:00:00 +00:00
                INC-11  resolved  P4           1  standard            -           -                  -  -
                """)
        #expect(
            TicketListing.render(.init(tickets: []), instants: utc, empty: "No breached tickets.")
                == "No breached tickets.")
    }

    @Test("status reads as labelled lines")
    func status() throws {
        let reply = try record(
            """
            {"version":"0.1.0","uptime":183840,"config":"/etc/slad/slad.yaml","config_loaded":"2026-03-02T08:00:00Z",
             "open_tickets":1204,"armed_timers":1190,"breaches":3,"next_due":null}
            """, as: SlaInterface.Status.Reply.self)
        #expect(
            StatusReport.render(reply, instants: utc) == """
                slad 0.1.0, up 2d03h04m
                configuration  /etc/slad/slad.yaml, loaded 2026-03-02 08:00:00 +00:00
                open tickets   1204
                armed timers   1190
                breaches       3
                next due       nothing due
                """)
        let journaled = try record(
            """
            {"version":"0.2.0","uptime":60,"config":"/etc/slad/slad.yaml","config_loaded":"2026-03-02T08:00:00Z",
             "open_tickets":1,"armed_timers":1,"breaches":0,"journal":{"written":120,"dropped":3,"failed":0}}
            """, as: SlaInterface.Status.Reply.self)
        #expect(
            StatusReport.render(journaled, instants: utc).hasSuffix(
                "journal        120 records written, 3 dropped, 0 refused"))
        let zoned = try record(
            """
            {"version":"0.2.0","uptime":60,"config":"/etc/slad/slad.yaml","config_loaded":"2026-03-02T08:00:00Z",
             "open_tickets":1,"armed_timers":1,"breaches":0,"tzdata":"2026f"}
            """, as: SlaInterface.Status.Reply.self)
        #expect(zoned.tzdata == "2026f")
        #expect(StatusReport.render(zoned, instants: utc).contains("\ntime zones     tzdata 2026f\n"))
    }

    @Test("watch prints one line per record: instant, ticket, what happened")
    func watchLine() throws {
        let record = try JSONValue.decode(
            #"{"at":"2026-03-02T09:15:00Z","ticket":"INC-1","kind":"warning","clock":"line","line":1,"agreement":"desk-ola","percent":75}"#
        )
        #expect(
            RecordText.watchLine(record, instants: utc)
                == "2026-03-02 09:15:00 +00:00  INC-1  warning   line 1 (desk-ola) at 75% of its target")
        let unknown = try JSONValue.decode(#"{"at":"2026-03-02T09:15:00Z","ticket":"INC-1","kind":"archived","by":"x"}"#)
        #expect(
            RecordText.watchLine(unknown, instants: utc) == #"2026-03-02 09:15:00 +00:00  INC-1  archived  {"by":"x"}"#)
    }
}
