import ArgumentParser
import SLAControl

/// `slactl assign INC-1 --line 2`: functional escalation by hand.
struct AssignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign",
        abstract: "Move a ticket to another support line: the old line's clock stops, the new one's starts."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @Option(help: ArgumentHelp("The support line that takes it: 1 service desk .. 4 vendor.", valueName: "n"))
    var line: Int

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        try SupportLine.check(line)
    }

    func run() throws {
        try Invocation.submit(ControlEvent(ticket: ticket, kind: .assign, at: time.at, line: line), options)
    }
}
