import SLAWire

/// The report's text forms: CSV (RFC 4180), JSON and an aligned table.
public enum ReportFormat: String, Sendable, CaseIterable {
    case table, csv, json, html
}

extension Report {
    /// The column names: `period`, the dimensions in the order given, then the figures.
    public var columns: [String] {
        ["period"] + request.group.map(\.rawValue) + ReportFigure.allCases.map(\.rawValue)
    }

    private func cells(_ row: ReportRow) -> [String] {
        [row.period] + row.keys + row.values.map { $0?.text ?? "" }
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
        for row in rows { line(cells(row)) }
        return out
    }

    /// One CSV field as written (quoted when RFC 4180 requires it).
    public static func csvFieldForTesting(_ text: String) -> String { csvField(text) }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            return text
        }
        return "\"" + String(text.flatMap { $0 == "\"" ? ["\"", "\""] : [$0] }) + "\""
    }

    /// One JSON object: `since`, `until` (local days), `by`, `group`, `timezone`, then `rows`, each
    /// row an object with the columns' names as keys in column order, null where a figure has no
    /// cases. Keys in a fixed order, so two reports of the same facts are byte-equal.
    public func json() -> String {
        var out = "{\"since\":\"" + ReportCalendar.text(ofDay: request.since) + "\""
        out += ",\"until\":\"" + ReportCalendar.text(ofDay: request.until) + "\""
        out += ",\"by\":\"" + request.by.rawValue + "\",\"group\":["
        out += request.group.map { "\"" + $0.rawValue + "\"" }.joined(separator: ",")
        out += "],\"timezone\":"
        RecordFormat.appendQuoted(request.calendar.zone.name, to: &out)
        out += ",\"rows\":["
        for (r, row) in rows.enumerated() {
            if r > 0 { out += "," }
            out += "{\"period\":\"" + row.period + "\""
            for (i, dimension) in request.group.enumerated() {
                out += ",\"" + dimension.rawValue + "\":"
                if dimension == .line {
                    out += row.keys[i]
                } else {
                    RecordFormat.appendQuoted(row.keys[i], to: &out)
                }
            }
            for (i, figure) in ReportFigure.allCases.enumerated() {
                out += ",\"" + figure.rawValue + "\":"
                out += row.values[i]?.text ?? "null"
            }
            out += "}"
        }
        out += "]}\n"
        return out
    }

    /// Aligned columns for a terminal: one line per row, `-` where a figure has no cases. The
    /// report is wide; a pager with horizontal scrolling (`less -S`) reads it.
    public func table() -> String {
        var grid = [columns]
        for row in rows { grid.append(cells(row).map { $0.isEmpty ? "-" : Self.printable($0) }) }
        var widths = [Int](repeating: 0, count: columns.count)
        for line in grid { for (i, cell) in line.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for line in grid {
            var text = ""
            for (i, cell) in line.enumerated() {
                if i > 0 { text += "  " }
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                // Names left, figures right.
                text += i <= request.group.count ? cell + pad : pad + cell
            }
            while text.hasSuffix(" ") { text.removeLast() }
            out += text + "\n"
        }
        return out
    }

    /// Control characters of a customer's or service's name shown as `\xHH`, as slactl does, so a
    /// name cannot move the terminal's cursor.
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
