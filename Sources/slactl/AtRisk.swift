import ArgumentParser
import SLAContract
import SLAControl

/// `slactl at-risk --within 1h`: tickets about to breach.
struct AtRiskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "at-risk",
        abstract: "List open tickets due within a duration, or already breached.",
        discussion: "The duration is wall-clock time from now, in the configuration's syntax: 45m, 1h, 1h30m."
    )

    @Option(help: ArgumentHelp("How soon: hours, minutes, seconds, e.g. 30m, 1h, 1h30m.", valueName: "duration"))
    var within = "1h"

    @OptionGroup var filter: ListOptions
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        guard case .success = ServiceDuration.parse(within) else {
            throw ValidationError("--within needs a duration like 45m, 1h or 1h30m (no days), not \(within).")
        }
    }

    func run() throws {
        try TicketQuery.run(
            SlaInterface.Filter(dueWithin: try? ServiceDuration.parse(within).get(), line: filter.line, agreement: filter.agreement),
            filter, options,
            empty: "No ticket is due within \(within).")
    }
}
