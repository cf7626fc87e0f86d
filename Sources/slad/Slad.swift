import ArgumentParser
import SLAConfig
import SLAContract
import SLACore
import SLADaemon

/// `slad`: the SLA and incident-escalation daemon, and its offline subcommands.
@main
struct Slad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "slad",
        abstract: "SLA and incident-escalation daemon: tracks response, resolution and OLA/UC clocks per ticket.",
        version: SladVersion.string,
        subcommands: [Run.self, CheckConfig.self, Replay.self, OnCall.self, ReportCommand.self],
        defaultSubcommand: Run.self
    )
}

/// Options every subcommand that reads the configuration shares.
struct ConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file.")
    var config: String = "/etc/slad/slad.yaml"

    /// The configuration, or its errors printed and exit status 2.
    func load() throws -> Configuration { try Self.load(path: config) }

    /// The configuration at `path`, or its errors printed and exit status 2.
    static func load(path: String) throws -> Configuration {
        switch ConfigLoader.load(path: path) {
        case .success(let loaded): return loaded
        case .failure(let errors):
            StandardError.write(errors.description + "\n")
            throw ExitCode(ExitStatus.badConfig)
        }
    }
}

/// Exit statuses, documented in README.md.
enum ExitStatus {
    /// Some input lines were skipped (replay).
    static let inputRejected: Int32 = 1
    /// The configuration has errors.
    static let badConfig: Int32 = 2
    /// The daemon could not start: state or socket trouble (the message says which).
    static let cannotStart: Int32 = 71
    /// The state failed while slad ran (EX_IOERR): systemd restarts it, and it recovers.
    static let stateFailed: Int32 = 74
    /// An input file could not be read.
    static let noInput: Int32 = 66
    /// The state is damaged, not slad's, or lost acknowledged commits: refused, not served.
    static let damagedState: Int32 = 65
    /// Another slad holds the state directory.
    static let stateInUse: Int32 = 75
    /// The output file could not be written (report --output).
    static let cannotCreate: Int32 = 73
}
