import ArgumentParser
import SLAControl

/// `slactl open INC-1 --priority P2`: a new ticket.
struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open a ticket: start its response, resolution and line clocks.",
        discussion: """
            The priority is --priority, or --impact with --urgency through the configuration's matrix. \
            --service and --customer pick the SLA: the first whose match fits both, else the default SLA.
            """
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var priority: PriorityOptions

    @Option(help: ArgumentHelp("The service it concerns, e.g. mail (picks the SLA).", valueName: "name"))
    var service: String?

    @Option(help: ArgumentHelp("The customer, e.g. acme (picks the SLA).", valueName: "name"))
    var customer: String?

    @Option(
        help: ArgumentHelp("The support line that takes it, 1 to 4 (default: 1, the service desk).", valueName: "n"))
    var line: Int?

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try SupportLine.check(line)
    }

    func run() throws {
        let event = ControlEvent(
            ticket: ticket, kind: .open, at: time.at, priority: priority.priority, impact: priority.impact,
            urgency: priority.urgency, service: service, customer: customer, line: line)
        try Invocation.submit(event, options)
    }
}
