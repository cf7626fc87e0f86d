import SLACore
import SLAWire

/// The report over a replay: the engine run on recorded events, its outcomes folded as they happen.
public enum OfflineReport {
    /// The report's days when the command line leaves them out: from the start of the period of
    /// the first event to the end of the period of the last (both local days), or nil without events.
    public static func defaultDays(
        events: [Replay.TimedLine], by: ReportPeriod, calendar: ReportCalendar
    ) -> (since: Int64, until: Int64)? {
        guard let first = events.first?.at, let last = events.last?.at else { return nil }
        return (
            calendar.periodStart(ofDay: calendar.localDay(of: first), by: by),
            calendar.nextPeriodStart(afterDay: calendar.localDay(of: last), by: by)
        )
    }

    /// Runs the events (in `at` order, as ``Replay/readEvents(input:)`` gives them) and folds their
    /// facts into one report per request, in one pass. Deadlines fire through the last event's
    /// instant, as in `slad replay`. Refused events are returned as problems.
    public static func run(
        configuration: Configuration, events: [Replay.TimedLine], requests: [ReportRequest]
    ) -> (reports: [Report], problems: [Replay.Problem]) {
        var feed = OutcomeFeed(configuration: configuration)
        var folds = requests.map { ReportFold(request: $0, configuration: configuration) }
        var problems: [Replay.Problem] = []
        let emit: (ReportFact) -> Void = { fact in
            for i in folds.indices { folds[i].add(fact) }
        }
        for (line, at, event) in events {
            do {
                try feed.apply(event, at: at, emit: emit)
            } catch {
                problems.append(Replay.Problem(line: line, message: error.description))
            }
        }
        if let last = events.last?.at { feed.finish(through: last, emit: emit) }
        return (folds.indices.map { folds[$0].finish() }, problems)
    }
}
