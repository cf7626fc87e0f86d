import ArgumentParser
import SLAControl

/// `slactl reload`: apply the configuration file again.
struct ReloadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Make slad read its configuration file again and apply it to running clocks.",
        discussion: "A file with errors is refused whole (exit status 1, each error as file:line:column)."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try Invocation.run(options) { control, output in
            output.reply(try control.reload()) { $0.summary }
        }
    }
}
