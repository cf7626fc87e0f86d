import SLAConfig
import SLACore

/// A small valid configuration, by section, that the bad-snippet cases change one section of.
enum Fixture {
    static let order = ["calendars", "priorities", "agreements", "lines", "escalation"]

    static let sections: [String: String] = [
        "calendars": """
        calendars:
          office:
            timezone: Europe/Berlin
            hours:
              mon-fri: ["08:00-12:00", "12:00-17:00"]
          always:
            timezone: UTC
        """,
        "priorities": """
        priorities:
          levels: [P1, P2]
          matrix:
            high: {high: P1, low: P2}
            low: {high: P2, low: P2}
        """,
        "agreements": agreements(),
        "lines": """
        lines:
          - {id: 1, name: Service Desk, agreement: desk}
          - {id: 2, name: Incident Management, agreement: ops}
          - {id: 3, name: Development, agreement: dev}
          - {id: 4, name: Vendor, agreement: vendor}
        """,
        "escalation": """
        escalation:
          hierarchical:
            - {clock: resolution, at: 90%, notify: duty-manager}
        """,
    ]

    static let gold =
        "{name: gold, kind: sla, calendar: always, targets: {P1: {response: 15m, resolution: 4h}, P2: {resolution: 8h}}}"

    /// The agreements section: `gold` on line 2, desk/ops/dev/vendor on lines 3-6, `extra` on line 7.
    static func agreements(gold: String = gold, extra: String? = nil) -> String {
        var lines = [
            "agreements:",
            "  - \(gold)",
            "  - {name: desk, kind: ola, calendar: office, targets: {P1: {resolution: 30m}, P2: {resolution: 1h}}}",
            "  - {name: ops, kind: ola, calendar: office, targets: {P1: {resolution: 30m}}}",
            "  - {name: dev, kind: ola, calendar: office, targets: {P1: {resolution: 1h}}}",
            "  - {name: vendor, kind: uc, calendar: office, targets: {P1: {resolution: 1h}}}",
        ]
        if let extra { lines.append("  - \(extra)") }
        return lines.joined(separator: "\n")
    }

    /// The calendars section with `office`'s body on lines 3 onward (indented by the helper).
    static func calendars(office body: String) -> String {
        "calendars:\n  office:\n"
            + body.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n") + "\n  always:\n    timezone: UTC"
    }

    /// A whole document: `section` first (so its line numbers are the file's), the rest after it.
    static func document(_ section: String) -> String {
        let name = section.prefix { $0 != ":" }
        return ([section] + order.filter { $0 != name }.compactMap { sections[$0] }).joined(separator: "\n") + "\n"
    }

    static var valid: String { order.compactMap { sections[$0] }.joined(separator: "\n") + "\n" }

    static func diagnostics(_ yaml: String) -> [ConfigDiagnostic] {
        switch ConfigLoader.parse(yaml: yaml, file: "test.yaml") {
        case .success: return []
        case .failure(let errors): return errors.diagnostics
        }
    }
}
