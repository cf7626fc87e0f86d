import SLACore
public struct ConfigErrors: Error, Sendable, CustomStringConvertible { public var diagnostics: [String] = []; public var description: String { "" } }
public enum ConfigLoader {
    public static func load(path: String) -> Result<Configuration, ConfigErrors> { .failure(ConfigErrors()) }
    public static func summary(of configuration: Configuration, file: String) -> String { "" }
}
