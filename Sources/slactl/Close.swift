import ArgumentParser
import SLAControl

/// `slactl close INC-1`.
struct CloseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close",
        abstract: "Close a ticket: stop what still runs; slad forgets the ticket."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.submit(ControlEvent(ticket: ticket, kind: .close, at: time.at), options)
    }
}
