import ArgumentParser
import SLAConfig

/// `slad check-config`: validate a configuration without starting anything.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration: every error as file:line:column, or a one-line summary."
    )

    @OptionGroup var options: ConfigOptions

    func run() throws {
        let zones = ZoneDatabase.system()
        switch ConfigLoader.load(path: options.config, zones: zones) {
        case .success(let configuration):
            print(ConfigLoader.summary(of: configuration, file: options.config))
            print(ConfigLoader.zoneSummary(of: configuration, zones: zones))
        case .failure(let errors):
            StandardError.write(errors.description + "\n")
            throw ExitCode(ExitStatus.badConfig)
        }
    }
}
