/// slactl's global options (`--socket PATH`, `--json`) given before the subcommand, as systemctl and
/// varlinkctl take them: `slactl --socket /run/x open INC-1`.
///
/// swift-argument-parser reads options before a subcommand's name as the root command's, which has
/// none; so they are moved to just after the name, where every subcommand takes them. Anything else
/// before the name (`--help`, `--version`) leaves the arguments as they are, for the parser to answer.
public enum GlobalArguments {
    /// The options moved: `--json`, `--socket PATH` and `--socket=PATH`.
    static let flags: Set<String> = ["--json"]
    static let options: Set<String> = ["--socket"]

    /// `arguments` (without the program name) with the leading global options after the subcommand.
    public static func hoisted(_ arguments: [String], subcommands: Set<String>) -> [String] {
        var globals: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if flags.contains(argument) || options.contains(where: { argument.hasPrefix($0 + "=") }) {
                globals.append(argument)
                index += 1
            } else if options.contains(argument), index + 1 < arguments.count {
                globals.append(contentsOf: arguments[index...(index + 1)])
                index += 2
            } else {
                break
            }
        }
        guard !globals.isEmpty, index < arguments.count, subcommands.contains(arguments[index]) else {
            return arguments
        }
        return [arguments[index]] + globals + arguments[(index + 1)...]
    }
}
