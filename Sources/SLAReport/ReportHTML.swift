/// The report as one self-contained HTML page for customers and management: a title with the
/// period and the agreements, the headline figures per period, and charts drawn as inline SVG
/// (met % per period and priority with the objectives as reference lines, breaches per line as
/// bars, backlog per line). No script, no external resource; sized to print on A4.
public struct ReportHTML: Sendable {
    public var main: Report
    public var total: Report
    public var byPriority: Report
    public var byLine: Report

    public init(main: Report, total: Report, byPriority: Report, byLine: Report) {
        self.main = main
        self.total = total
        self.byPriority = byPriority
        self.byLine = byLine
    }

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]
    static let chartWidth = 680.0
    static let chartHeight = 240.0

    /// The page.
    public func page() -> String {
        let request = main.request
        let periods = total.rows.map(\.period)
        var html = Self.head(title: title)
        html += "<h1>" + Self.escape(title) + "</h1>\n"
        html +=
            "<p class=\"meta\">Periods by \(request.by.rawValue), local days in "
            + Self.escape(request.calendar.zone.name) + ". Agreements: "
            + Self.escape(main.agreements.isEmpty ? "none" : main.agreements.joined(separator: ", ")) + ".</p>\n"
        html += "<h2>Headline figures</h2>\n" + headline()
        html += "<h2>Resolution met per priority</h2>\n"
        html += metChart(periods: periods)
        html += "<h2>Breaches per line</h2>\n"
        html += breachChart(periods: periods)
        html += "<h2>Backlog per line at the end of each period</h2>\n"
        html += backlogChart(periods: periods)
        if main.rows.count <= 12 {
            html += "<h2>All figures</h2>\n" + Self.transposed(ReportGrid(main))
        } else {
            html += "<p class=\"meta\">\(main.rows.count) rows: the CSV or JSON form has every figure of each.</p>\n"
        }
        html += "</body>\n</html>\n"
        return html
    }

    /// A what-if as a page: the comparison grid, transposed.
    public static func comparison(_ grid: ReportGrid, agreements: [String]) -> String {
        let title = "What-if service level report " + Self.span(grid.request)
        var html = head(title: title)
        html += "<h1>" + escape(title) + "</h1>\n"
        html +=
            "<p class=\"meta\">Each figure under the new configuration, the old one, and the change. Agreements: "
            + escape(agreements.joined(separator: ", ")) + ".</p>\n"
        html += transposed(grid)
        html += "</body>\n</html>\n"
        return html
    }

    var title: String { "Service level report " + Self.span(main.request) }

    static func span(_ request: ReportRequest) -> String {
        ReportCalendar.text(ofDay: request.since) + " to " + ReportCalendar.text(ofDay: request.until - 1)
    }

    static func head(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(escape(title))</title>
        <style>
        @page { size: A4; margin: 15mm; }
        body { font-family: sans-serif; font-size: 10pt; color: #222; max-width: 180mm; margin: 0 auto; }
        h1 { font-size: 16pt; margin: 0 0 4pt; }
        h2 { font-size: 12pt; margin: 14pt 0 4pt; break-after: avoid; }
        p.meta { color: #555; margin: 0 0 8pt; }
        table { border-collapse: collapse; font-size: 8pt; break-inside: auto; }
        th, td { border: 1px solid #ccc; padding: 1pt 4pt; text-align: right; }
        table.headline { table-layout: fixed; width: 100%; }
        table.headline th { overflow-wrap: anywhere; font-weight: normal; }
        th:first-child, td:first-child { text-align: left; }
        figure { margin: 0; break-inside: avoid; }
        svg { width: 100%; height: auto; }
        </style>
        </head>
        <body>

        """
    }

    func headline() -> String {
        let figures: [ReportFigure] = [
            .resolutionMetPct, .responseMetPct, .firstTimeFixPct, .transferredOnTimePct, .opened, .resolved,
            .breachesResolution, .backlogOpen,
        ]
        var html = "<table class=\"headline\">\n<tr><th>period</th>"
        for figure in figures { html += "<th>" + figure.rawValue + "</th>" }
        html += "</tr>\n"
        for row in total.rows {
            html += "<tr><td>" + row.period + "</td>"
            for figure in figures { html += "<td>" + (row[figure]?.text ?? "") + "</td>" }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// One series of a chart: a name and a value (or none) per period.
    struct Series {
        var name: String
        var values: [Double?]
    }

    /// A reference line (an objective) drawn dashed in the colour of its series.
    struct Reference {
        var name: String
        var value: Double
        var series: Int
    }

    func metChart(periods: [String]) -> String {
        let priorities = uniqueKeys(byPriority)
        let series = priorities.map { priority in
            Series(
                name: priority,
                values: periods.map { period in
                    byPriority.rows.first { $0.period == period && $0.keys == [priority] }?[.resolutionMetPct]?
                        .double
                })
        }
        // An objective drawn per priority when the SLAs agree on one for it.
        var references: [Reference] = []
        for (index, priority) in priorities.enumerated() {
            let stated = Set(
                byPriority.agreements.compactMap { name -> Int? in
                    main.objectives[name + " " + priority] ?? main.objectives[name]
                })
            if stated.count == 1, let objective = stated.first {
                references.append(
                    Reference(name: "objective \(priority) \(objective)%", value: Double(objective), series: index))
            }
        }
        return Self.lineChart(
            label: "resolution_met_pct per period and priority", periods: periods, series: series, maximum: 100,
            unit: "%", references: references)
    }

    func breachChart(periods: [String]) -> String {
        let series = (1...4).map { line in
            Series(
                name: "line \(line)",
                values: periods.map { period in
                    byLine.rows.first { $0.period == period && $0.keys == [String(line)] }?[.breachesLine]?.double
                        ?? 0
                })
        }
        return Self.barChart(label: "breaches_line per period and line", periods: periods, series: series)
    }

    func backlogChart(periods: [String]) -> String {
        let figures: [ReportFigure] = [.backlogLine1, .backlogLine2, .backlogLine3, .backlogLine4]
        let series = figures.enumerated().map { i, figure in
            Series(
                name: "line \(i + 1)",
                values: periods.map { period in total.rows.first { $0.period == period }?[figure]?.double })
        }
        let top = series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0
        return Self.lineChart(
            label: "backlog per line at each period's end", periods: periods, series: series,
            maximum: Self.niceCeiling(top), unit: "", references: [])
    }

    private func uniqueKeys(_ report: Report) -> [String] {
        var seen: [String] = []
        for row in report.rows where !seen.contains(row.keys[0]) { seen.append(row.keys[0]) }
        return seen
    }

    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        var step = 1.0
        while step * 10 < value { step *= 10 }
        for multiple in [1.0, 2, 5, 10] where step * multiple >= value { return step * multiple }
        return step * 10
    }

    // MARK: - SVG

    static let left = 48.0, right = 120.0, top = 12.0, bottom = 36.0

    static func frame(label: String, periods: [String], maximum: Double, unit: String) -> String {
        let plotWidth = chartWidth - left - right
        let plotHeight = chartHeight - top - bottom
        var svg =
            "<figure>\n<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(fmt(chartWidth)) "
            + "\(fmt(chartHeight))\" role=\"img\" aria-label=\"\(escape(label))\">\n"
        svg += "<title>\(escape(label))</title>\n"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(fmt(chartWidth))\" height=\"\(fmt(chartHeight))\" fill=\"#fff\"/>\n"
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            let y = top + plotHeight * (1 - Double(step) / 4)
            svg +=
                "<line x1=\"\(fmt(left))\" y1=\"\(fmt(y))\" x2=\"\(fmt(left + plotWidth))\" y2=\"\(fmt(y))\" "
                + "stroke=\"#ddd\"/>\n"
            svg +=
                "<text x=\"\(fmt(left - 4))\" y=\"\(fmt(y + 3))\" font-size=\"9\" text-anchor=\"end\">"
                + "\(ReportValue.number(value).text)\(unit)</text>\n"
        }
        let slot = plotWidth / Double(max(periods.count, 1))
        for (i, period) in periods.enumerated() {
            let x = left + slot * (Double(i) + 0.5)
            svg +=
                "<text x=\"\(fmt(x))\" y=\"\(fmt(chartHeight - bottom + 14))\" font-size=\"9\" "
                + "text-anchor=\"middle\">\(period)</text>\n"
        }
        return svg
    }

    static func legend(_ names: [String], references: [Reference] = []) -> String {
        var svg = ""
        let entries = names.enumerated().map { ($1, $0, false) } + references.map { ($0.name, $0.series, true) }
        for (i, (name, colorIndex, dashed)) in entries.enumerated() {
            let y = top + 6 + Double(i) * 14
            let x = chartWidth - right + 10
            let color = palette[colorIndex % palette.count]
            let dash = dashed ? " stroke-dasharray=\"4 3\"" : ""
            svg +=
                "<line x1=\"\(fmt(x))\" y1=\"\(fmt(y))\" x2=\"\(fmt(x + 16))\" y2=\"\(fmt(y))\" stroke=\"\(color)\" "
                + "stroke-width=\"3\"\(dash)/>\n"
            svg += "<text x=\"\(fmt(x + 20))\" y=\"\(fmt(y + 3))\" font-size=\"9\">\(escape(name))</text>\n"
        }
        return svg
    }

    static func lineChart(
        label: String, periods: [String], series: [Series], maximum: Double, unit: String,
        references: [Reference]
    ) -> String {
        let plotWidth = chartWidth - left - right
        let plotHeight = chartHeight - top - bottom
        let slot = plotWidth / Double(max(periods.count, 1))
        func y(_ value: Double) -> Double { top + plotHeight * (1 - min(value, maximum) / maximum) }
        var svg = frame(label: label, periods: periods, maximum: maximum, unit: unit)
        for (s, line) in series.enumerated() {
            let color = palette[s % palette.count]
            var points: [String] = []
            for (i, value) in line.values.enumerated() {
                guard let value else { continue }
                let x = left + slot * (Double(i) + 0.5)
                points.append("\(fmt(x)),\(fmt(y(value)))")
                svg +=
                    "<circle cx=\"\(fmt(x))\" cy=\"\(fmt(y(value)))\" r=\"3\" fill=\"\(color)\">"
                    + "<title>\(escape(line.name)) \(periods[i]): \(ReportValue.number(value).text)\(unit)</title>"
                    + "</circle>\n"
            }
            if points.count > 1 {
                svg +=
                    "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\""
                    + points.joined(separator: " ") + "\"/>\n"
            }
        }
        for reference in references {
            let at = fmt(y(reference.value))
            svg +=
                "<line class=\"objective\" x1=\"\(fmt(left))\" y1=\"\(at)\" x2=\"\(fmt(left + plotWidth))\" "
                + "y2=\"\(at)\" stroke=\"\(palette[reference.series % palette.count])\" stroke-width=\"1.5\" "
                + "stroke-dasharray=\"4 3\"><title>\(escape(reference.name))</title></line>\n"
        }
        svg += legend(series.map(\.name), references: references)
        return svg + "</svg>\n<figcaption>" + escape(label) + "</figcaption>\n</figure>\n"
    }

    static func barChart(label: String, periods: [String], series: [Series]) -> String {
        let plotWidth = chartWidth - left - right
        let plotHeight = chartHeight - top - bottom
        let maximum = niceCeiling(series.flatMap { $0.values.compactMap { $0 } }.max() ?? 0)
        let slot = plotWidth / Double(max(periods.count, 1))
        let bar = slot * 0.8 / Double(max(series.count, 1))
        var svg = frame(label: label, periods: periods, maximum: maximum, unit: "")
        for (s, line) in series.enumerated() {
            for (i, value) in line.values.enumerated() {
                guard let value, value > 0 else { continue }
                let height = plotHeight * value / maximum
                let x = left + slot * Double(i) + slot * 0.1 + bar * Double(s)
                svg +=
                    "<rect x=\"\(fmt(x))\" y=\"\(fmt(top + plotHeight - height))\" width=\"\(fmt(bar))\" "
                    + "height=\"\(fmt(height))\" fill=\"\(palette[s % palette.count])\">"
                    + "<title>\(escape(line.name)) \(periods[i]): \(ReportValue.number(value).text)</title></rect>\n"
            }
        }
        svg += legend(series.map(\.name))
        return svg + "</svg>\n<figcaption>" + escape(label) + "</figcaption>\n</figure>\n"
    }

    static func fmt(_ value: Double) -> String { ReportValue.number(value).text }

    // MARK: - Tables

    /// A grid with its columns as rows: a report has many figures and few rows.
    static func transposed(_ grid: ReportGrid) -> String {
        var html = "<table class=\"figures\">\n"
        for (c, column) in grid.columns.enumerated() {
            let cell = c == 0 ? "th" : "td"
            html += "<tr><th>" + escape(column) + "</th>"
            for row in grid.rows { html += "<\(cell)>" + escape(row[c].plain) + "</\(cell)>" }
            html += "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// Text escaped for HTML content and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

extension ReportValue {
    /// The value as a number (a flag as 1 or 0), for charts.
    var double: Double {
        switch self {
        case .count(let n): return Double(n)
        case .number(let x): return x
        case .flag(let b): return b ? 1 : 0
        }
    }
}
