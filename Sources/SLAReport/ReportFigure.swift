/// The figures of a report, in the order of its columns: the names are the contract (README).
///
/// The notification figures (`notifications_sent` and the rest) come with the notifications.
public enum ReportFigure: String, Sendable, CaseIterable {
    case responseMetPct = "response_met_pct"
    case resolutionMetPct = "resolution_met_pct"
    case olaMetPctLine1 = "ola_met_pct_line1"
    case olaMetPctLine2 = "ola_met_pct_line2"
    case olaMetPctLine3 = "ola_met_pct_line3"
    case olaMetPctLine4 = "ola_met_pct_line4"
    case objectivePct = "objective_pct"
    case objectiveMet = "objective_met"
    case transferredOnTimePct = "transferred_on_time_pct"
    case firstTimeFixPct = "first_time_fix_pct"
    case reopenedPct = "reopened_pct"
    case opened, resolved, closed
    case breachesResponse = "breaches_response"
    case breachesResolution = "breaches_resolution"
    case breachesLine = "breaches_line"
    case escalationsToLine2 = "escalations_to_line2"
    case escalationsToLine3 = "escalations_to_line3"
    case escalationsToLine4 = "escalations_to_line4"
    case hierarchicalEscalations = "hierarchical_escalations"
    case responseServiceMeanS = "response_service_mean_s"
    case responseServiceMedianS = "response_service_median_s"
    case responseServiceP90S = "response_service_p90_s"
    case resolutionServiceMeanS = "resolution_service_mean_s"
    case resolutionServiceMedianS = "resolution_service_median_s"
    case resolutionServiceP90S = "resolution_service_p90_s"
    case responseWallMeanS = "response_wall_mean_s"
    case responseWallMedianS = "response_wall_median_s"
    case responseWallP90S = "response_wall_p90_s"
    case resolutionWallMeanS = "resolution_wall_mean_s"
    case resolutionWallMedianS = "resolution_wall_median_s"
    case resolutionWallP90S = "resolution_wall_p90_s"
    case line1HeldMeanS = "line1_held_mean_s"
    case line2HeldMeanS = "line2_held_mean_s"
    case line3HeldMeanS = "line3_held_mean_s"
    case line4HeldMeanS = "line4_held_mean_s"
    case backlogOpen = "backlog_open"
    case backlogLine1 = "backlog_line1"
    case backlogLine2 = "backlog_line2"
    case backlogLine3 = "backlog_line3"
    case backlogLine4 = "backlog_line4"
    case backlogAgeMedianS = "backlog_age_median_s"
}

/// What a report's rows group by.
public enum ReportDimension: String, Sendable, CaseIterable {
    case agreement, priority, customer, service, line
}

/// One figure's value; a figure without cases has none (an empty cell, JSON null).
public enum ReportValue: Sendable, Equatable {
    case count(Int)
    case number(Double)
    case flag(Bool)

    /// The value unformatted: `87.5`, `12`, `true`; numbers to two decimals, shortest form.
    public var text: String {
        switch self {
        case .count(let n): return String(n)
        case .flag(let b): return b ? "true" : "false"
        case .number(let x):
            let rounded = (x * 100).rounded() / 100
            if rounded == rounded.rounded(), abs(rounded) < 1e15 { return String(Int64(rounded)) }
            return String(rounded)
        }
    }
}

/// One row of a report: a period, the group's values, and every figure in ``ReportFigure`` order.
public struct ReportRow: Sendable, Equatable {
    /// The period's first local day, `YYYY-MM-DD`.
    public var period: String
    /// The group's values, in the order of the report's dimensions.
    public var keys: [String]
    /// Indexed like `ReportFigure.allCases`.
    public var values: [ReportValue?]

    public subscript(_ figure: ReportFigure) -> ReportValue? {
        values[ReportFigure.allCases.firstIndex(of: figure)!]
    }
}

/// What a report covers: the days, how they are split, what rows group by, in which zone.
public struct ReportRequest: Sendable {
    /// First local day (days since 1970-01-01), included.
    public var since: Int64
    /// Last local day, excluded.
    public var until: Int64
    public var by: ReportPeriod
    public var group: [ReportDimension]
    public var calendar: ReportCalendar

    public init(since: Int64, until: Int64, by: ReportPeriod, group: [ReportDimension], calendar: ReportCalendar) {
        self.since = since
        self.until = until
        self.by = by
        self.group = group
        self.calendar = calendar
    }
}

/// A finished report: the request and its rows, in period order, then group order.
public struct Report: Sendable {
    public var request: ReportRequest
    public var rows: [ReportRow]
    /// The agreements whose clocks the report counted, in configuration order: the HTML title names them.
    public var agreements: [String]
    /// Objectives by agreement name, then by priority: what the HTML draws as reference lines.
    public var objectives: [String: Int]
}
