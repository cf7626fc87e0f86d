import ArgumentParser
import SLAControl

/// `slactl reprioritize INC-1 --priority P1`.
struct ReprioritizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reprioritize",
        abstract: "Change a ticket's priority: running clocks get the new targets, keeping the time counted.",
        discussion: "A clock whose new target is already used up is due at once."
    )

    @Argument(help: "The ticket id, e.g. INC-1.")
    var ticket: String

    @OptionGroup var priority: PriorityOptions
    @OptionGroup var time: EventTimeOption
    @OptionGroup var options: GlobalOptions

    func run() throws {
        let event = ControlEvent(
            ticket: ticket, kind: .reprioritize, at: time.at, priority: priority.priority, impact: priority.impact,
            urgency: priority.urgency)
        try Invocation.submit(event, options)
    }
}
