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
        switch ConfigLoader.load(path: options.config) {
        case .success(let configuration):
            print(ConfigLoader.summary(of: configuration, file: options.config))
        case .failure(let errors):
            StandardError.write(errors.description + "\n")
            throw ExitCode(ExitStatus.badConfig)
        }
    }
}
