import ArgumentParser
import SLAControl

/// `slactl watch`: timeline records as slad makes them.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print every timeline record as it happens, one a line, until interrupted.",
        discussion: """
            Records are due instants, warnings, breaches, met clocks and escalations. With --json each line is \
            the record in the replay output format (JSON Lines), ready for jq or a log shipper.
            """
    )

    @Option(help: ArgumentHelp("Only this ticket's records.", valueName: "id"))
    var ticket: String?

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let instants = InstantFormat()
        try Invocation.run(options) { control, output in
            try control.watch { record, line in
                if let ticket, record["ticket"]?.string != ticket { return true }
                if options.json {
                    output.line(line)
                } else {
                    output.text(RecordText.watchLine(record, instants: instants))
                }
                return true
            }
        }
    }
}
