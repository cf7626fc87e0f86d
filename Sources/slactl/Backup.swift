import ArgumentParser
import Foundation
import SLAControl

/// `slactl backup PATH`: a consistent copy of slad's state, written while it runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Make slad write a consistent copy of its state to a new file, while it runs.",
        discussion: """
            slad writes the file itself: PATH must not exist, and its folder must be yours (unless you are \
            root or slad's user). A relative PATH is taken from the current folder. To restore, see README.
            """
    )

    @Argument(help: "The new file.")
    var path: String

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        try Invocation.run(options) { control, output in
            output.reply(try control.backup(path: absolute)) { "state written to \($0.path) (\($0.bytes) bytes)" }
        }
    }
}
