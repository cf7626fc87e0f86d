import SLACore

/// The options a report is asked with, as the command line and the Varlink call give them; one
/// reading for `slad report`, `slactl report` and the daemon's `Report` method.
public struct ReportOptions: Sendable, Equatable {
    /// First local day, `YYYY-MM-DD`; nil: the start of the period of the first outcome.
    public var since: String?
    /// Local day after the last, `YYYY-MM-DD`; nil: the end of the period of the last outcome.
    public var until: String?
    public var by: String
    /// Dimensions; an entry may list several, comma-separated (`agreement,priority`).
    public var group: [String]

    public init(since: String? = nil, until: String? = nil, by: String = "month", group: [String] = []) {
        self.since = since
        self.until = until
        self.by = by
        self.group = group
    }

    /// What is wrong with the options, in a sentence naming the option.
    public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        public var option: String
        public var message: String
        public var description: String { message }
    }

    /// The period split and the dimensions, checked.
    public func shape() throws(Problem) -> (by: ReportPeriod, group: [ReportDimension]) {
        guard let by = ReportPeriod(rawValue: by) else {
            throw Problem(option: "by", message: "--by \"\(by)\" is not a period; write day, week or month")
        }
        var dimensions: [ReportDimension] = []
        for name in group.flatMap({ $0.split(separator: ",").map(String.init) }) {
            guard let dimension = ReportDimension(rawValue: name) else {
                throw Problem(
                    option: "group",
                    message:
                        "--group \"\(name)\" is not a dimension; write agreement, priority, customer, service or line")
            }
            guard !dimensions.contains(dimension) else {
                throw Problem(option: "group", message: "--group names \(name) twice; name each dimension once")
            }
            dimensions.append(dimension)
        }
        return (by, dimensions)
    }

    /// The request, with the days the options leave out taken from the first and last instants of
    /// the outcomes (nil when there are none: then the period of `now`).
    public func request(
        calendar: ReportCalendar, first: Instant?, last: Instant?
    ) throws(Problem) -> ReportRequest {
        let (by, group) = try shape()
        func day(_ text: String?, _ option: String) throws(Problem) -> Int64? {
            guard let text else { return nil }
            guard let day = ReportCalendar.day(of: text) else {
                throw Problem(
                    option: option, message: "--\(option) \"\(text)\" is not a date; write it like 2026-03-01")
            }
            return day
        }
        let since =
            try day(since, "since") ?? first.map { calendar.periodStart(ofDay: calendar.localDay(of: $0), by: by) }
        let until =
            try day(until, "until")
            ?? last.map { calendar.nextPeriodStart(afterDay: calendar.localDay(of: $0), by: by) }
        guard let since, let until else {
            throw Problem(option: "since", message: "there is nothing to report; give --since and --until")
        }
        guard since < until else {
            throw Problem(option: "until", message: "--until must be after --since")
        }
        return ReportRequest(since: since, until: until, by: by, group: group, calendar: calendar)
    }
}
