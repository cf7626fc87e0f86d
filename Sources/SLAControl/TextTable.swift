/// A plain-text table for terminals: a header row, columns two spaces apart, no trailing spaces.
public struct TextTable {
    /// How a column's cells line up.
    public enum Alignment: Sendable {
        case left, right
    }

    /// A column: its header and alignment.
    public struct Column: Sendable {
        public var header: String
        public var alignment: Alignment

        /// A column; numbers read best right-aligned.
        public init(_ header: String, _ alignment: Alignment = .left) {
            self.header = header
            self.alignment = alignment
        }
    }

    public let columns: [Column]
    public private(set) var rows: [[String]] = []

    /// An empty table with these columns.
    public init(_ columns: [Column]) {
        self.columns = columns
    }

    /// Adds a row; missing cells are blank, extra cells are dropped. Control characters in a cell are
    /// escaped (``TerminalText``), so no cell can move the cursor or break the columns.
    public mutating func append(_ row: [String]) {
        rows.append((0..<columns.count).map { $0 < row.count ? TerminalText.escaped(row[$0]) : "" })
    }

    /// The table as lines joined by newlines, without a final newline.
    public func render() -> String {
        let all = [columns.map(\.header)] + rows
        var widths = columns.map { _ in 0 }
        for row in all {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        return all.map { row in
            var line = ""
            for (index, cell) in row.enumerated() {
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                if index > 0 { line += "  " }
                line += columns[index].alignment == .right ? padding + cell : cell + padding
            }
            while line.last == " " { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }
}
