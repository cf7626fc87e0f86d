/// `slactl list`, `breaches` and `at-risk` for people: one row per ticket, most urgent first as slad sorts.
public enum TicketListing {
    /// The `tickets` of a `ListTickets` reply as a table, or `empty` when there are none.
    public static func render(_ reply: [String: Any], instants: InstantFormat, empty: String) -> String {
        let tickets = JSONFields.objects(reply, "tickets")
        guard !tickets.isEmpty else { return empty }
        var table = TextTable([
            .init("TICKET"), .init("STATE"), .init("PRIORITY"), .init("LINE", .right), .init("SLA"),
            .init("BREACHED"), .init("NEXT CLOCK"), .init("AGREEMENT"), .init("REMAINING", .right), .init("DUE"),
        ])
        for ticket in tickets {
            let clock =
                JSONFields.string(ticket, "clock") == nil
                ? "-" : RecordText.clockName(ticket, lineKey: "clock_line")
            table.append([
                JSONFields.string(ticket, "ticket") ?? "?", JSONFields.string(ticket, "state") ?? "?",
                JSONFields.string(ticket, "priority") ?? "?", JSONFields.int(ticket, "line").map(String.init) ?? "?",
                JSONFields.string(ticket, "sla") ?? "?", JSONFields.bool(ticket, "breached") == true ? "yes" : "",
                clock, JSONFields.string(ticket, "agreement") ?? "-",
                JSONFields.int(ticket, "remaining").map(DurationFormat.service) ?? "-",
                JSONFields.string(ticket, "due").map(instants.format) ?? "-",
            ])
        }
        return table.render()
    }
}

/// `slactl status` for people.
public enum StatusReport {
    /// The `Status` reply as labelled lines.
    public static func render(_ reply: [String: Any], instants: InstantFormat) -> String {
        let version = JSONFields.string(reply, "version") ?? "?"
        let uptime = JSONFields.int(reply, "uptime").map(DurationFormat.span) ?? "?"
        let loaded = JSONFields.string(reply, "config_loaded").map { ", loaded \(instants.format($0))" } ?? ""
        var table = TextTable([.init(""), .init("")])
        table.append(["configuration", (JSONFields.string(reply, "config") ?? "?") + loaded])
        table.append(["open tickets", JSONFields.int(reply, "open_tickets").map(String.init) ?? "?"])
        table.append(["armed timers", JSONFields.int(reply, "armed_timers").map(String.init) ?? "?"])
        table.append(["breaches", JSONFields.int(reply, "breaches").map(String.init) ?? "?"])
        table.append(["next due", JSONFields.string(reply, "next_due").map(instants.format) ?? "nothing due"])
        if let journal = JSONFields.object(reply, "journal") {
            let count = { (name: String) in JSONFields.int(journal, name).map(String.init) ?? "?" }
            table.append(["journal", "\(count("written")) records written, \(count("dropped")) dropped, \(count("failed")) refused"])
        }
        // The header row of an unlabelled table is blank: drop it.
        let rows = table.render().split(separator: "\n", omittingEmptySubsequences: false).dropFirst()
        return "slad \(version), up \(uptime)\n" + rows.joined(separator: "\n")
    }
}
