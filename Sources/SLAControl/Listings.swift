import SLAContract

/// `slactl list`, `breaches` and `at-risk` for people: one row per ticket, most urgent first as slad sorts.
public enum TicketListing {
    /// The `tickets` of a `ListTickets` reply as a table, or `empty` when there are none.
    public static func render(
        _ reply: SlaInterface.ListTickets.Reply, instants: InstantFormat, empty: String
    ) -> String {
        guard !reply.tickets.isEmpty else { return empty }
        var table = TextTable([
            .init("TICKET"), .init("STATE"), .init("PRIORITY"), .init("LINE", .right), .init("SLA"),
            .init("BREACHED"), .init("NEXT CLOCK"), .init("AGREEMENT"), .init("REMAINING", .right), .init("DUE"),
        ])
        for ticket in reply.tickets {
            let clock = ticket.clock.map { RecordText.clockName($0, line: ticket.clockLine) } ?? "-"
            table.append([
                ticket.ticket, ticket.state, ticket.priority, String(ticket.line), ticket.sla,
                ticket.breached ? "yes" : "", clock, ticket.agreement ?? "-",
                ticket.remaining.map(ServiceDuration.forPeople) ?? "-", ticket.due.map(instants.format) ?? "-",
            ])
        }
        return table.render()
    }
}

/// `slactl status` for people.
public enum StatusReport {
    /// The `Status` reply as labelled lines.
    public static func render(_ reply: SlaInterface.Status.Reply, instants: InstantFormat) -> String {
        var table = TextTable([.init(""), .init("")])
        table.append(["configuration", reply.config + ", loaded \(instants.format(reply.configLoaded))"])
        if let tzdata = reply.tzdata { table.append(["time zones", "tzdata " + tzdata]) }
        table.append(["open tickets", String(reply.openTickets)])
        table.append(["armed timers", String(reply.armedTimers)])
        table.append(["breaches", String(reply.breaches)])
        table.append(["next due", reply.nextDue.map(instants.format) ?? "nothing due"])
        if let journal = reply.journal {
            table.append([
                "journal", "\(journal.written) records written, \(journal.dropped) dropped, \(journal.failed) refused",
            ])
        }
        // The header row of an unlabelled table is blank: drop it.
        let rows = table.render().split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        return "slad \(TerminalText.escaped(reply.version)), up \(ServiceDuration.span(reply.uptime))\n"
            + rows.joined(separator: "\n")
    }
}
