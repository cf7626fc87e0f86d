import ArgumentParser
import Foundation
import SLAConfig
import SLACore
import SLAReport
import SLAWire

/// `slad report`: the service level report over a replay, offline.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report the desk's KPIs per period and group from ticket events (JSON Lines), offline.",
        discussion: """
            The events run through the engine as in `slad replay`; the outcomes (each clock met or \
            breached, stopped, transferred) are counted per local day, week (from Monday) or month in \
            --timezone. With --compare OLD.yaml the same events run under both configurations, side by \
            side: each figure, FIGURE_old and FIGURE_change. The figures are explained in the README.
            """
    )

    @OptionGroup var options: ConfigOptions
    @OptionGroup var report: ReportArguments

    @Option(help: "A second configuration to report the same events under, beside --config.")
    var compare: String?

    @Argument(help: "The events file, or - for standard input.")
    var events: String

    func run() throws {
        let configuration = try options.load()
        let old = try compare.map { try ConfigOptions.load(path: $0) }
        let input = try EventsFile.read(events)
        let (timed, problems) = SLAWire.Replay.readEvents(input: input)
        let calendar = try report.calendar()
        let request: ReportRequest
        do {
            request = try report.options.request(calendar: calendar, first: timed.first?.at, last: timed.last?.at)
        } catch {
            throw ValidationError(error.message)
        }
        let requests = ReportPages.requests(for: request, format: report.format)
        let run = OfflineReport.run(configuration: configuration, events: timed, requests: requests)
        let text: String
        if let old {
            let before = OfflineReport.run(configuration: old, events: timed, requests: [request])
            text = ReportPages.render(comparing: run.reports[0], with: before.reports[0], format: report.format)
        } else {
            text = ReportPages.render(run.reports, format: report.format)
        }
        try report.write(text)
        let refused = (problems + run.problems).sorted { $0.line < $1.line }
        for problem in refused {
            StandardError.write("\(events == "-" ? "<stdin>" : events):\(problem.line): \(problem.message)\n")
        }
        if !refused.isEmpty {
            StandardError.write("slad: skipped \(refused.count) line(s)\n")
            throw ExitCode(ExitStatus.inputRejected)
        }
    }
}

/// The report's options on slad's command line.
struct ReportArguments: ParsableArguments {
    @Option(help: "First local day of the report (YYYY-MM-DD); default: the start of the first event's period.")
    var since: String?

    @Option(help: "The local day after the report (YYYY-MM-DD); default: the end of the last event's period.")
    var until: String?

    @Option(help: "Split into periods: day, week (from Monday) or month.")
    var by: String = "month"

    @Option(help: "Group rows by agreement, priority, customer, service or line (repeat, or comma-separated).")
    var group: [String] = []

    @Option(help: "The time zone of the periods' local midnights (IANA name); default: the system's.")
    var timezone: String?

    @Option(help: "table, csv, json or html.")
    var format: ReportFormat = .table

    @Option(help: "Write the report to this file instead of standard output.")
    var output: String?

    var options: ReportOptions { ReportOptions(since: since, until: until, by: by, group: group) }

    func validate() throws {
        do {
            _ = try options.shape()
        } catch {
            throw ValidationError(error.message)
        }
    }

    func calendar() throws -> ReportCalendar {
        let name = timezone ?? SystemZone.name()
        switch ZoneDatabase.system().rules(named: name) {
        case .success(let rules): return ReportCalendar(zone: rules)
        case .failure(let error): throw ValidationError("--timezone: \(error)")
        }
    }

    func write(_ text: String) throws {
        guard let output else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output))
        } catch {
            StandardError.write("slad: cannot write \(output): \(error.localizedDescription)\n")
            throw ExitCode(ExitStatus.cannotCreate)
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
