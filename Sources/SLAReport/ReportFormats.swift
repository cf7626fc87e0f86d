import SLAJSON
import SLAWire

/// The report's forms: an aligned table, CSV (RFC 4180), JSON and HTML.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, csv, json, html
}

/// One cell of a report's grid.
public enum ReportCell: Sendable, Hashable {
    /// A name (a period, an agreement, a customer): quoted in JSON.
    case text(String)
    /// A number or `true`/`false`, written as it is.
    case value(String)
    /// A figure without cases: an empty CSV cell, JSON null, `-` in the table.
    case none

    var plain: String {
        switch self {
        case .text(let text), .value(let text): return text
        case .none: return ""
        }
    }
}

/// A report as rows of cells under named columns, what every text form writes: `period`, the
/// group's dimensions in the order given, then the figures.
public struct ReportGrid: Sendable {
    public var request: ReportRequest
    public var columns: [String]
    public var rows: [[ReportCell]]

    /// The grid of one report.
    public init(_ report: Report) {
        request = report.request
        columns = ["period"] + report.request.group.map(\.rawValue) + ReportFigure.allCases.map(\.rawValue)
        rows = report.rows.map { row in
            [.text(row.period)]
                + zip(report.request.group, row.keys).map { $0 == .line ? .value($1) : .text($1) }
                + row.values.map { $0.map { .value($0.text) } ?? .none }
        }
    }

    /// Two reports of the same facts side by side, for a what-if: each figure under the new
    /// configuration, then `FIGURE_old` under the old one and `FIGURE_change`, new less old (empty
    /// unless both are numbers). Rows are matched by period and group; one missing on a side is
    /// empty there.
    public init(comparing new: Report, with old: Report) {
        request = new.request
        let keys = ["period"] + new.request.group.map(\.rawValue)
        columns = keys + ReportFigure.allCases.flatMap { [$0.rawValue, $0.rawValue + "_old", $0.rawValue + "_change"] }
        let newGrid = ReportGrid(new)
        let oldGrid = ReportGrid(old)
        let width = keys.count
        var oldRows: [[ReportCell]: [ReportCell]] = [:]
        for row in oldGrid.rows { oldRows[Array(row.prefix(width))] = Array(row.dropFirst(width)) }
        var order: [[ReportCell]] = []
        var newRows: [[ReportCell]: [ReportCell]] = [:]
        for row in newGrid.rows {
            order.append(Array(row.prefix(width)))
            newRows[Array(row.prefix(width))] = Array(row.dropFirst(width))
        }
        for row in oldGrid.rows where newRows[Array(row.prefix(width))] == nil {
            // An old-only row goes after the last row of its period.
            let key = Array(row.prefix(width))
            let at = order.lastIndex { $0[0].plain <= key[0].plain }.map { $0 + 1 } ?? 0
            order.insert(key, at: at)
        }
        let empty = [ReportCell](repeating: .none, count: ReportFigure.allCases.count)
        rows = order.map { key in
            let a = newRows[key] ?? empty
            let b = oldRows[key] ?? empty
            var cells = key
            for i in a.indices {
                cells.append(a[i])
                cells.append(b[i])
                if case .value(let x) = a[i], case .value(let y) = b[i], let u = Double(x), let v = Double(y) {
                    cells.append(.value(ReportValue.number(u - v).text))
                } else {
                    cells.append(.none)
                }
            }
            return cells
        }
    }

    /// RFC 4180: CRLF line ends, a header row, a field quoted when it holds a comma, a quote, CR
    /// or LF (its quotes doubled); an empty field where a figure has no cases.
    public func csv() -> String {
        var out = ""
        func line(_ fields: [String]) {
            out += fields.map(Self.csvField).joined(separator: ",")
            out += "\r\n"
        }
        line(columns)
        for row in rows { line(row.map(\.plain)) }
        return out
    }

    /// One CSV field as written (quoted when RFC 4180 requires it).
    public static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + String(text.flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) + "\""
    }

    /// One JSON object: `since`, `until` (local days), `by`, `group`, `timezone`, then `rows`, each
    /// row an object with the columns as keys in column order, null where a figure has no cases.
    /// Keys in a fixed order, so two reports of the same facts are byte-equal.
    public func json() -> String {
        var out = "{\"since\":\"" + ReportCalendar.text(ofDay: request.since) + "\""
        out += ",\"until\":\"" + ReportCalendar.text(ofDay: request.until) + "\""
        out += ",\"by\":\"" + request.by.rawValue + "\",\"group\":["
        out += request.group.map { "\"" + $0.rawValue + "\"" }.joined(separator: ",")
        out += "],\"timezone\":"
        JSONValue.appendQuoted(request.calendar.zone.name, to: &out)
        out += ",\"rows\":["
        for (r, row) in rows.enumerated() {
            out += r > 0 ? ",{" : "{"
            for (i, cell) in row.enumerated() {
                if i > 0 { out += "," }
                JSONValue.appendQuoted(columns[i], to: &out)
                out += ":"
                switch cell {
                case .text(let text): JSONValue.appendQuoted(text, to: &out)
                case .value(let text): out += text
                case .none: out += "null"
                }
            }
            out += "}"
        }
        out += "]}\n"
        return out
    }

    /// Aligned columns for a terminal: one line per row, `-` where a figure has no cases, names
    /// left and figures right. The report is wide; `less -S` scrolls it sideways.
    public func table() -> String {
        let names = 1 + request.group.count
        var grid = [columns]
        for row in rows { grid.append(row.map { $0 == .none ? "-" : Self.printable($0.plain) }) }
        var widths = [Int](repeating: 0, count: columns.count)
        for line in grid { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for line in grid {
            var text = ""
            for (i, cell) in line.enumerated() {
                if i > 0 { text += "  " }
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                text += i < names ? cell + pad : pad + cell
            }
            while text.hasSuffix(" ") { text.removeLast() }
            out += text + "\n"
        }
        return out
    }

    /// Control characters of a customer's or service's name shown as `\xHH`, as slactl shows
    /// them, so a name cannot move the terminal's cursor.
    static func printable(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Report {
    /// The report as CSV; see ``ReportGrid/csv()``.
    public func csv() -> String { ReportGrid(self).csv() }
    /// The report as JSON; see ``ReportGrid/json()``.
    public func json() -> String { ReportGrid(self).json() }
    /// The report as an aligned table; see ``ReportGrid/table()``.
    public func table() -> String { ReportGrid(self).table() }
}
