import ArgumentParser
import SLAControl

/// `slactl respond INC-1`: the first response was given.
struct RespondCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "respond",
        abstract: "Record the first response: stop the ticket's response clock."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.submit(ControlEvent(ticket: ticket, kind: .respond, at: time.at), options)
    }
}
