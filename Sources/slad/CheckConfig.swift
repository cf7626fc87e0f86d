import ArgumentParser
import Foundation
import SLAConfig
import SLACore

/// `slad check-config`: validate a configuration without starting anything.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration: every error and warning as file:line:column, or a summary.",
        discussion: """
            Warnings (the customer SLAs shorter than the lines' OLAs added up, a line without a team once \
            teams are configured, nobody on call somewhere in the next 28 days) are printed to standard error \
            as file:line:column: warning: ...; they do not change the exit status unless --strict is given.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Flag(name: .long, help: "Treat warnings as errors: print them as errors and exit 2.")
    var strict = false

    func run() throws {
        let zones = ZoneDatabase.system()
        let now = Instant(secondsSince1970: Int64(Date().timeIntervalSince1970))
        let check = ConfigLoader.check(path: options.config, zones: zones, now: now)
        let result = strict ? check.strict : check.result
        switch result {
        case .success(let configuration):
            // Warnings go to standard error beside the summary, as a compiler's do; the exit stays 0.
            if !check.warnings.isEmpty {
                StandardError.write(check.warnings.map(\.description).joined(separator: "\n") + "\n")
            }
            print(ConfigLoader.summary(of: configuration, file: options.config))
            print(ConfigLoader.zoneSummary(of: configuration, zones: zones))
        case .failure(let errors):
            var diagnostics = errors.diagnostics
            if !strict { diagnostics = ConfigLoader.inFileOrder(diagnostics + check.warnings) }
            StandardError.write(diagnostics.map(\.description).joined(separator: "\n") + "\n")
            throw ExitCode(ExitStatus.badConfig)
        }
    }
}
