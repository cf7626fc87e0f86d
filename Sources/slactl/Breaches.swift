import ArgumentParser
import SLAContract
import SLAControl

/// `slactl breaches`: tickets with a breached clock.
struct BreachesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaches",
        abstract: "List open tickets with a breached clock."
    )

    @OptionGroup var filter: ListOptions
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try TicketQuery.run(
            SlaInterface.Filter(breached: true, line: filter.line, agreement: filter.agreement), filter, options,
            empty: "No breached tickets.")
    }
}
