import ArgumentParser
import SLAControl

/// `slactl pause INC-1 --reason waiting-customer`.
struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Mark a ticket as waiting: clocks whose agreement pauses on the reason stand still.",
        discussion: "Pausing a paused ticket changes the reason. `slactl resume` restarts the clocks."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @Option(
        help: ArgumentHelp(
            "Why it waits, as the agreements' pause_on names it, e.g. waiting-customer.", valueName: "reason"))
    var reason: String

    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func validate() throws {
        if reason.isEmpty { throw ValidationError("--reason must name why the ticket waits, e.g. waiting-customer.") }
    }

    func run() throws {
        try Invocation.submit(ControlEvent(ticket: ticket, kind: .pause, at: time.at, reason: reason), options)
    }
}
