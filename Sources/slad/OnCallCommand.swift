import ArgumentParser
import Foundation
import SLACore
import SLAConfig
import SLAWire

/// `slad oncall`: a team's final schedule, offline, as JSON Lines.
struct OnCall: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oncall",
        abstract: "Print a team's on-call shifts over [--from, --until) as JSON Lines, overrides applied.",
        discussion: """
            Shifts are ordered by start; adjacent pieces of the same person and source are merged; instants \
            are UTC. --overrides reads overrides as JSON Lines {"id","team","person","start","end"}, a later \
            line newer than an earlier one; overrides of other teams are ignored.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "The team.")
    var team: String

    @Option(help: "The first instant (RFC 3339).")
    var from: String

    @Option(help: "The end, excluded (RFC 3339).")
    var until: String

    @Option(help: "Overrides to apply, as JSON Lines.")
    var overrides: String?

    func run() throws {
        guard let start = Timestamp.parse(from) else {
            throw ValidationError("--from is not an RFC 3339 timestamp like 2026-12-01T00:00:00Z: \(from)")
        }
        guard let end = Timestamp.parse(until), end > start else {
            throw ValidationError("--until must be an RFC 3339 timestamp after --from: \(until)")
        }
        let configuration = try options.load()
        guard let team = configuration.team(named: self.team) else {
            let names = configuration.teams.map(\.name).joined(separator: ", ")
            throw ValidationError("unknown team \"\(self.team)\"; defined teams are \(names.isEmpty ? "none" : names)")
        }
        var list: [OnCallOverride] = []
        if let overrides {
            guard let data = FileManager.default.contents(atPath: overrides) else {
                StandardError.write("slad: cannot read \(overrides)\n")
                throw ExitCode(ExitStatus.noInput)
            }
            switch OnCallFormat.decodeOverrides(data) {
            case .success(let read): list = read.filter { $0.team == team.name }
            case .failure(let error):
                StandardError.write("slad: \(overrides): \(error)\n")
                throw ExitCode(ExitStatus.inputRejected)
            }
        }
        let schedule = OnCallSchedule(team: team, overrides: list)
        var output = BufferedOutput()
        for shift in schedule.shifts(from: start, until: end) {
            output.write(OnCallFormat.encode(shift, team: team.name))
        }
        output.flush()
    }
}
