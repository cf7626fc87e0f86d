import ArgumentParser
import SLAControl

/// `slactl resolve INC-1`.
struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Resolve a ticket: stop its resolution and line clocks (and a response clock still running)."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.submit(ControlEvent(ticket: ticket, kind: .resolve, at: time.at), options)
    }
}
