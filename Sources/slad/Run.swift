import ArgumentParser
import Foundation
import Logging
import SLAConfig
import SLADaemon
import SLAStore
import SLASystemd

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

    @Option(
        name: .customLong("log-target"),
        help: ArgumentHelp(
            "Where logs and timeline records go: journal, stderr or auto.",
            discussion: "auto: the journal when stderr is connected to it ($JOURNAL_STREAM names stderr, as "
                + "under systemd), else stderr. Timeline records are written to the journal only."))
    var logTarget: LogTarget = .auto

    func run() async throws {
        // The only bootstrap: libraries take the Logger they are given, tests never bootstrap.
        let journal = logTarget.resolved() == .journal ? JournalWriter() : nil
        LoggingSystem.bootstrap { label in
            if let journal {
                var handler = JournalLogHandler(label: label, writer: journal)
                handler.logLevel = .info
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "slad")
        let options = DaemonOptions(
            configPath: config, stateDirectory: state, socketPath: socket, writerGroups: writerGroups,
            readerGroups: readerGroups, socketGroup: socketGroup, journal: journal)
        do {
            try await Daemon.run(options, logger: logger)
        } catch let errors as ConfigErrors {
            StandardError.write(errors.description + "\n")
            throw ExitCode(ExitStatus.badConfig)
        } catch let error as StoreError {
            StandardError.write("slad: \(error)\n")
            switch error {
            case .damaged: throw ExitCode(ExitStatus.damagedState)
            case .locked: throw ExitCode(ExitStatus.stateInUse)
            default: throw ExitCode(ExitStatus.cannotStart)
            }
        } catch let failure as StoreFailure {
            StandardError.write("slad: \(failure)\n")
            throw ExitCode(ExitStatus.stateFailed)
        } catch {
            StandardError.write("slad: \(error)\n")
            throw ExitCode(ExitStatus.cannotStart)
        }
    }
}

/// Where `slad run` logs.
enum LogTarget: String, ExpressibleByArgument, CaseIterable {
    case journal, stderr, auto

    /// `auto` decided: the journal when `$JOURNAL_STREAM` is set and names the device and inode of
    /// our stderr (systemd's StandardError=journal), so that a child that merely inherited the
    /// variable, with stderr sent elsewhere, still logs to stderr (systemd.exec(5)).
    func resolved(environment: [String: String] = ProcessInfo.processInfo.environment) -> LogTarget {
        guard self == .auto else { return self }
        guard let stream = environment["JOURNAL_STREAM"] else { return .stderr }
        let parts = stream.split(separator: ":")
        var status = stat()
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]),
            fstat(STDERR_FILENO, &status) == 0
        else { return .stderr }
        return UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode ? .journal : .stderr
    }
}
