import ArgumentParser
import SLAContract
import SLAControl

/// `slactl list`: open tickets, most urgent first.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List open tickets, most urgent first (breached first, then earliest due)."
    )

    @OptionGroup var filter: ListOptions
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try TicketQuery.run(
            SlaInterface.Filter(line: filter.line, agreement: filter.agreement), filter, options,
            empty: "No open tickets.")
    }
}

/// The call and table behind list, breaches and at-risk.
enum TicketQuery {
    static func run(_ tickets: SlaInterface.Filter, _ filter: ListOptions, _ options: GlobalOptions, empty: String) throws {
        try Invocation.run(options) { control, output in
            output.reply(try control.tickets(tickets, limit: filter.limit)) { reply in
                TicketListing.render(reply, instants: InstantFormat(), empty: empty)
            }
        }
    }
}
