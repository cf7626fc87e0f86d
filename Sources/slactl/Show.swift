import ArgumentParser
import SLAControl

/// `slactl show INC-1`: a ticket's clocks and why each is due when it is.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a ticket: state, clocks, and a timeline that explains each due instant.",
        discussion: """
            For people: the ticket's state, priority, line, SLA and pause reason; a table of its clocks \
            (counted service time against the target, remaining, due); one sentence per clock on why it is due \
            when it is (the counted time and the calendar's service hours); the spans it waited; and its events \
            and timeline records (due, warnings, breaches, escalations, late firings) in order. Instants are \
            shown in the local time zone (TZ). A history longer than one reply (10,000 events or records) is \
            read page by page. Last, who is on call for the line that holds it, when the line has a team. With \
            --json, slad's GetTicket reply as it came (the pages joined into one).
            """
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.run(options) { control, output in
            let reply = try control.wholeTicket(ticket)
            output.reply(reply) { reply in TicketReport(ticket: reply.ticket).render() }
            // Who answers for the line that holds it; a line without a team, or an older slad, adds nothing.
            if !options.json, let oncall = try? control.whoIsOnCall(team: nil, line: reply.value.ticket.line, at: nil) {
                output.text(OnCallText.holder(oncall.value.oncall, format: InstantFormat()))
            }
            // Its notifications and acknowledgements; an older slad without them adds nothing.
            if !options.json, let listed = try? control.notifications(ticket: ticket, state: nil),
                !listed.value.notifications.isEmpty || !listed.value.acknowledgements.isEmpty
            {
                output.text(NotificationText.table(listed.value.notifications, format: InstantFormat()))
                if !listed.value.acknowledgements.isEmpty {
                    let acks = listed.value.acknowledgements
                    output.text(NotificationText.acknowledgements(acks, format: InstantFormat()))
                }
            }
        }
    }
}
