import ArgumentParser
import Foundation
import SLAContract
import SLAControl

/// `slactl oncall ...`: who is on call, shifts, overrides, and a calendar of the shifts.
struct OnCallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall",
        abstract: "Who is on call, the shifts of a team, overrides, and the shifts as an iCalendar file.",
        discussion: """
            Who wins at an instant: the newest override covering it; else the last layer whose active hours \
            cover it; else the team's fallback; else nobody. Times are RFC 3339 (2026-12-07T09:00:00+01:00).
            """,
        subcommands: [Who.self, Shifts.self, OverrideCommand.self, ICal.self]
    )

    /// An RFC 3339 option checked before the call, so a typo is a usage error, not slad's.
    static func checked(_ text: String?, _ option: String) throws -> String? {
        guard let text else { return nil }
        guard InstantFormat.isTimestamp(text) else {
            throw ValidationError("\(option) must be RFC 3339, like 2026-12-07T09:00:00Z: \(text)")
        }
        return text
    }

    /// `--from` defaulting to now and `--until` to 28 days after it.
    struct Window: ParsableArguments {
        @Option(help: ArgumentHelp("The first instant, RFC 3339 (default: now).", valueName: "time"))
        var from: String?

        @Option(help: ArgumentHelp("The end, excluded, RFC 3339 (default: 28 days after --from).", valueName: "time"))
        var until: String?

        func resolved() throws -> (String, String) {
            let now = Int64(Date().timeIntervalSince1970)
            let start = try checked(from, "--from") ?? Timestamp.format(secondsSince1970: now)
            let startSeconds = Timestamp.seconds(start)!
            let end = try checked(until, "--until") ?? Timestamp.format(secondsSince1970: startSeconds + 28 * 86_400)
            return (start, end)
        }
    }

    struct Who: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "who", abstract: "Who is on call for a team, or for the team of a line.")

        @Argument(help: "The team.") var team: String?
        @Option(help: "The line (1-4) whose team to ask for.") var line: Int?
        @Option(help: ArgumentHelp("The instant, RFC 3339 (default: now).", valueName: "time")) var at: String?
        @OptionGroup var options: GlobalOptions

        func validate() throws {
            guard (team == nil) != (line == nil) else { throw ValidationError("name a TEAM or --line N, not both") }
        }

        func run() throws {
            let at = try checked(self.at, "--at")
            try Invocation.run(options) { control, output in
                output.reply(try control.whoIsOnCall(team: team, line: line, at: at)) { reply in
                    OnCallText.who(reply.oncall, format: InstantFormat())
                }
            }
        }
    }

    struct Shifts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "shifts", abstract: "A team's shifts, in the local time zone (TZ), or --json.")

        @Argument(help: "The team.") var team: String
        @OptionGroup var window: Window
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let (from, until) = try window.resolved()
            try Invocation.run(options) { control, output in
                output.reply(try control.shifts(team: team, from: from, until: until)) { reply in
                    OnCallText.shifts(reply.shifts, format: InstantFormat())
                }
            }
        }
    }

    struct ICal: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ical", abstract: "A team's shifts as an RFC 5545 calendar (one event a shift).")

        @Argument(help: "The team.") var team: String
        @OptionGroup var window: Window
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let (from, until) = try window.resolved()
            try Invocation.run(options) { control, output in
                let reply = try control.shifts(team: team, from: from, until: until).value
                let zone = TimeZone(identifier: reply.timezone) ?? TimeZone(identifier: "UTC")!
                let text = OnCallCalendar(team: team, timeZone: zone, shifts: reply.shifts).render()
                try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
            }
        }
    }
}

/// `slactl oncall override add|list|remove`.
struct OverrideCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "override", abstract: "Put someone on call over the schedule for a while, list, remove.",
        subcommands: [Add.self, List.self, Remove.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Put PERSON on call for TEAM over [--from, --until).")

        @Argument(help: "The team.") var team: String
        @Argument(help: "The person.") var person: String
        @Option(help: ArgumentHelp("The start, RFC 3339.", valueName: "time")) var from: String
        @Option(help: ArgumentHelp("The end, excluded, RFC 3339.", valueName: "time")) var until: String
        @OptionGroup var options: GlobalOptions

        func run() throws {
            let start = try OnCallCommand.checked(from, "--from")!
            let end = try OnCallCommand.checked(until, "--until")!
            try Invocation.run(options) { control, output in
                output.reply(try control.addOverride(team: team, person: person, start: start, end: end)) {
                    "override \($0.id) added: \(person) is on call for \(team) from \(InstantFormat().format(start)) "
                        + "until \(InstantFormat().format(end))"
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "The overrides, oldest first.")

        @Argument(help: "Only this team's.") var team: String?
        @OptionGroup var options: GlobalOptions

        func run() throws {
            try Invocation.run(options) { control, output in
                output.reply(try control.overrides(team: team)) {
                    OnCallText.overrides($0.overrides, format: InstantFormat())
                }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an override.")

        @Argument(help: "The override's id, e.g. ov-3.") var id: String
        @OptionGroup var options: GlobalOptions

        func run() throws {
            try Invocation.run(options) { control, output in
                output.reply(try control.removeOverride(id: id)) { _ in "override \(id) removed" }
            }
        }
    }
}
