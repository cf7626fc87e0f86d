import SLACore
import Yams

/// The priorities section as read.
struct PriorityTable {
    /// Valid level names, most urgent first.
    var levels: [String] = []
    /// False when `levels` had mistakes: references to levels are then not checked, so one
    /// mistake in `levels` does not turn every target into a second error.
    var levelsReliable = false
    var matrix: [String: [String: Int]] = [:]

    func index(of level: String) -> Int? { levels.firstIndex(of: level) }
}

extension ConfigReader {
    mutating func readPriorities(_ node: Node) -> PriorityTable {
        var table = PriorityTable()
        guard
            let fields = mapping(
                node, "priorities", allowed: ["levels", "matrix"], example: "{levels: [P1, P2, P3, P4]}")
        else { return table }
        if let field = fields["levels"] {
            let before = diagnostics.count
            if let items = list(field.value, "levels", example: "[P1, P2, P3, P4]") {
                if items.isEmpty {
                    report(
                        field.value,
                        "levels is empty; list the priorities most urgent first, for example [P1, P2, P3, P4]")
                }
                for item in items {
                    guard let name = text(item, "a priority level", example: "P1") else { continue }
                    if table.levels.contains(name) {
                        report(item, "priority level \"\(name)\" is listed twice in levels; list each level once")
                    } else {
                        table.levels.append(name)
                    }
                }
            }
            table.levelsReliable = diagnostics.count == before
        } else {
            report(node, "priorities has no levels; add them most urgent first, for example levels: [P1, P2, P3, P4]")
        }
        if let field = fields["matrix"] {
            table.matrix = readMatrix(field.value, table)
        }
        return table
    }

    /// impact -> urgency -> level; every row must give the urgencies of the first row.
    private mutating func readMatrix(_ node: Node, _ table: PriorityTable) -> [String: [String: Int]] {
        var matrix: [String: [String: Int]] = [:]
        guard let rows = mapping(node, "the priority matrix", allowed: nil, example: "{high: {high: P1, low: P2}}")
        else { return matrix }
        var firstRow: (impact: String, urgencies: [String])?
        for row in rows.entries {
            let what = "impact row \"\(row.key)\" of the priority matrix"
            guard let cells = mapping(row.value, what, allowed: nil, example: "{high: P1, medium: P2, low: P3}")
            else { continue }
            var levels: [String: Int] = [:]
            for cell in cells.entries {
                guard let level = text(cell.value, "the priority for urgency \"\(cell.key)\" in \(what)", example: "P1")
                else { continue }
                if let index = table.index(of: level) {
                    levels[cell.key] = index
                } else if table.levelsReliable {
                    report(cell.value, "unknown priority \"\(level)\"; the levels are \(nameList(table.levels))")
                }
            }
            matrix[row.key] = levels
            let urgencies = cells.entries.map(\.key)
            guard let first = firstRow else {
                firstRow = (row.key, urgencies)
                continue
            }
            let expected =
                "every row must give the urgencies of the first row \"\(first.impact)\" "
                + "(\(nameList(first.urgencies)))"
            for missing in first.urgencies where !urgencies.contains(missing) {
                report(row.value, "\(what) has no urgency \"\(missing)\"; \(expected)")
            }
            for cell in cells.entries where !first.urgencies.contains(cell.key) {
                report(cell.keyNode, "urgency \"\(cell.key)\" in \(what) is not in the first row; \(expected)")
            }
        }
        return matrix
    }
}
