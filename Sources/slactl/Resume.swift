import ArgumentParser
import SLAControl

/// `slactl resume INC-1`.
struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "End a ticket's wait: its paused clocks run again."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.submit(ControlEvent(ticket: ticket, kind: .resume, at: time.at), options)
    }
}
