import ArgumentParser
import Foundation
import SLAContract
import SLAControl

/// `slactl report`: the service level report from the outcomes slad kept (Varlink `Report`).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The desk's KPIs per period and group, from what slad recorded.",
        discussion: """
            The same report as `slad report` over a replay of the same events (README, "Service level \
            reports"), from the outcomes slad keeps for retention.reports. Options slad refuses end with \
            exit status 1 and the option named.
            """
    )

    @Option(help: "First local day of the report (YYYY-MM-DD); default: the start of the first outcome's period.")
    var since: String?

    @Option(help: "The local day after the report (YYYY-MM-DD); default: the end of the last outcome's period.")
    var until: String?

    @Option(help: "Split into periods: day, week (from Monday) or month (default).")
    var by: String?

    @Option(help: "Group rows by agreement, priority, customer, service or line (repeat, or comma-separated).")
    var group: [String] = []

    @Option(help: "The time zone of the periods' local midnights (IANA name); default: slad's system zone.")
    var timezone: String?

    @Option(help: "table (default), csv, json or html.")
    var format: String = "table"

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.run(options) { control, _ in
            let reply = try control.report(
                .init(
                    since: since, until: until, by: by, group: group.isEmpty ? nil : group, timezone: timezone,
                    format: format))
            let data = Data(reply.value.text.utf8)
            guard let output else {
                try? FileHandle.standardOutput.write(contentsOf: data)
                return
            }
            do {
                try data.write(to: URL(fileURLWithPath: output))
            } catch {
                Output.error("cannot write \(output): \(error.localizedDescription)")
                throw ExitCode(73)
            }
        }
    }
}
