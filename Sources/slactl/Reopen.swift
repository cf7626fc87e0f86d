import ArgumentParser
import SLAControl

/// `slactl reopen INC-1`.
struct ReopenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reopen",
        abstract: "Reopen a resolved ticket: its resolution clock goes on, its line gets a fresh line clock."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.submit(ControlEvent(ticket: ticket, kind: .reopen, at: time.at), options)
    }
}
