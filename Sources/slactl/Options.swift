import ArgumentParser
import SLAContract
import SLAControl

/// The options every command takes: where slad is, and whether to print JSON.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "slad's control socket (default: $SLAD_SOCKET, else the runtime directory's slad/io.slad.Sla).",
            valueName: "path"))
    var socket: String?

    @Flag(name: .long, help: "Print slad's reply as one line of JSON (watch: one record per line).")
    var json = false

    /// `--socket`, else the default rule.
    var socketPath: String { socket ?? DefaultPaths.socket }
}

/// `--at`: when an event happened.
struct EventTimeOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "When it happened, RFC 3339 like 2026-03-02T09:00:00+01:00 (default: when slad receives it).",
            valueName: "time"))
    var at: String?

    func validate() throws {
        if let at, !InstantFormat.isTimestamp(at) {
            throw ValidationError(
                "--at needs an RFC 3339 timestamp with an offset, like 2026-03-02T09:00:00+01:00: \(at)")
        }
    }
}

/// `--priority`, or `--impact` and `--urgency` for the configuration's matrix.
struct PriorityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The priority level, e.g. P2.", valueName: "level"))
    var priority: String?

    @Option(
        help: ArgumentHelp("The impact, e.g. high (with --urgency, through the priority matrix).", valueName: "impact"))
    var impact: String?

    @Option(help: ArgumentHelp("The urgency, e.g. low (with --impact).", valueName: "urgency"))
    var urgency: String?

    func validate() throws {
        switch (priority, impact, urgency) {
        case (_?, nil, nil), (nil, _?, _?): return
        default: throw ValidationError("Give either --priority, or both --impact and --urgency.")
        }
    }
}

/// The ticket list filters shared by list, breaches and at-risk.
struct ListOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only tickets held by this support line (1 to 4).", valueName: "n"))
    var line: Int?

    @Option(help: ArgumentHelp("Only tickets under this agreement (SLA, OLA or UC name).", valueName: "name"))
    var agreement: String?

    @Option(help: ArgumentHelp("At most this many tickets, most urgent first.", valueName: "n"))
    var limit: Int?

    func validate() throws {
        try SupportLine.check(line)
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }
}

enum SupportLine {
    /// Lines are 1 (service desk) to 4 (vendor).
    static func check(_ line: Int?, option: String = "--line") throws {
        if let line, !(1...4).contains(line) {
            throw ValidationError("\(option) must be a support line from 1 (service desk) to 4 (vendor), not \(line).")
        }
    }
}
