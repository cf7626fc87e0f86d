import ArgumentParser
import SLAControl

/// `slactl check-config`: validate the daemon's configuration file without applying it.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Make slad check its configuration file without applying it.",
        discussion: "Errors are printed as file:line:column: sentence, with exit status 1."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.run(options) { control, output in
            output.reply(try control.checkConfig()) { $0.summary }
        }
    }
}
