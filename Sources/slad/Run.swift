import ArgumentParser
import Foundation
import Logging
import SLAConfig
import SLADaemon

/// `slad` (or `slad run`): the daemon in the foreground until SIGTERM or SIGINT.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon in the foreground (the default when no subcommand is given).",
        discussion: """
            Loads the configuration (and exits with its errors if it is bad), opens the state, recovers \
            every open ticket, fires what fell due while slad was down (marked late), arms the timer, \
            and serves io.slad.Sla on the control socket. SIGHUP reloads the configuration; SIGTERM and \
            SIGINT stop it after committing everything accepted.
            """)

    @Option(name: .long, help: "The configuration file.")
    var config: String = DaemonDefaults.configPath

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Directory of the state (state.sqlite).",
            discussion: "Default: $STATE_DIRECTORY, else /var/lib/slad as root, else ~/.local/state/slad."))
    var state: String = DaemonDefaults.stateDirectory()

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Path of the control socket.",
            discussion: "Default: $RUNTIME_DIRECTORY/io.slad.Sla, else $SLAD_SOCKET, else /run/slad/io.slad.Sla as "
                + "root, else $XDG_RUNTIME_DIR/slad/io.slad.Sla or /tmp/slad-UID/io.slad.Sla (as slactl)."))
    var socket: String = DaemonDefaults.socketPath()

    @Option(name: .customLong("writer-group"), help: "A group whose members may submit and reload (repeatable).")
    var writerGroups: [String] = ["slad-writers"]

    @Option(name: .customLong("reader-group"), help: "A group whose members may query and watch (repeatable).")
    var readerGroups: [String] = ["slad-readers"]

    @Option(name: .customLong("socket-group"), help: "Give the socket file to this group (mode 0660).")
    var socketGroup: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "slad")
        let options = DaemonOptions(
            configPath: config, stateDirectory: state, socketPath: socket, writerGroups: writerGroups,
            readerGroups: readerGroups, socketGroup: socketGroup)
        do {
            try await Daemon.run(options, logger: logger)
        } catch let errors as ConfigErrors {
            StandardError.write(errors.description + "\n")
            throw ExitCode(ExitStatus.badConfig)
        } catch {
            StandardError.write("slad: \(error)\n")
            throw ExitCode(ExitStatus.cannotStart)
        }
    }
}
