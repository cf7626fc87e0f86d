import SLAControl
import Testing

@Suite("slactl's global options before the subcommand")
struct GlobalArgumentsTests {
    static let subcommands: Set<String> = ["open", "status", "list"]

    @Test(
        "leading --socket and --json move behind the subcommand's name; anything else stays",
        arguments: [
            (["--socket", "/s", "open", "INC-1"], ["open", "--socket", "/s", "INC-1"]),
            (["--json", "--socket=/s", "list", "--limit", "1"], ["list", "--json", "--socket=/s", "--limit", "1"]),
            (["status", "--socket", "/s"], ["status", "--socket", "/s"]),
            (["--version"], ["--version"]),
            (["--json", "--help"], ["--json", "--help"]),
            (["--socket"], ["--socket"]),
            (["--socket", "/s", "nosuch"], ["--socket", "/s", "nosuch"]),
            ([], []),
        ])
    func hoisting(_ given: [String], _ expected: [String]) {
        #expect(GlobalArguments.hoisted(given, subcommands: Self.subcommands) == expected)
    }
}
