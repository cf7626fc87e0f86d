/// What each form of a report needs and how it is written: the one place the commands share.
public enum ReportPages {
    /// The reports one pass must fold for `format`: the one asked for, and for HTML also the
    /// totals (headline, backlog per line), per priority (met % lines) and per line (breaches).
    public static func requests(for request: ReportRequest, format: ReportFormat) -> [ReportRequest] {
        guard format == .html else { return [request] }
        func grouped(_ group: [ReportDimension]) -> ReportRequest {
            var other = request
            other.group = group
            return other
        }
        return [request, grouped([]), grouped([.priority]), grouped([.line])]
    }

    /// The text of the reports ``requests(for:format:)`` asked for.
    public static func render(_ reports: [Report], format: ReportFormat) -> String {
        switch format {
        case .table: return reports[0].table()
        case .csv: return reports[0].csv()
        case .json: return reports[0].json()
        case .html:
            return ReportHTML(main: reports[0], total: reports[1], byPriority: reports[2], byLine: reports[3]).page()
        }
    }

    /// A what-if: the reports under the new and the old configuration side by side. HTML shows
    /// the grid of both as a table.
    public static func render(comparing new: Report, with old: Report, format: ReportFormat) -> String {
        let grid = ReportGrid(comparing: new, with: old)
        switch format {
        case .table: return grid.table()
        case .csv: return grid.csv()
        case .json: return grid.json()
        case .html: return ReportHTML.comparison(grid, agreements: new.agreements)
        }
    }
}
