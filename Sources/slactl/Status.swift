import ArgumentParser
import SLAControl

/// `slactl status`: the daemon's health.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show slad's version, uptime, configuration, open tickets, armed timers and breaches."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.run(options) { control, output in
            output.reply(try control.status()) { StatusReport.render($0, instants: InstantFormat()) }
        }
    }
}
