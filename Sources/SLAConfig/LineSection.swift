import SLACore
import Yams

extension ConfigReader {
    static let lineNames = ["service desk", "incident management", "development and architecture", "vendor"]

    /// Reads the four lines; an entry with mistakes is nil.
    /// - Parameter agreements: nil when the agreements section is missing or unreadable.
    /// - Parameter teams: the teams a line's `team` may name.
    mutating func readLines(_ node: Node, agreements drafts: [AgreementDraft]?, teams: TeamTable) -> [SupportLine?] {
        let agreements = drafts ?? []
        guard let items = list(node, "lines", example: "[{id: 1, name: Service Desk, agreement: desk-ola}, ...]")
        else { return [] }
        if items.count != 4 {
            report(
                node,
                "there must be exactly four support lines (1 service desk, 2 incident management, "
                    + "3 development and architecture, 4 vendor); \(items.count) given"
            )
        }
        let names = agreements.compactMap(\.name)
        var lines: [SupportLine?] = []
        for (position, item) in items.enumerated() {
            let expected = position + 1
            guard
                let fields = mapping(
                    item, "line \(expected)", allowed: ["id", "name", "agreement", "team"],
                    example: "{id: \(expected), name: Service Desk, agreement: desk-ola}")
            else {
                lines.append(nil)
                continue
            }
            var id: Int?
            if let field = fields["id"] {
                id = integer(field.value, "the id of line \(expected)", in: 1...4, example: "\(expected)")
                if let given = id, given != expected, expected <= 4 {
                    report(
                        field.value,
                        "line id \(given) is out of order: the lines are listed 1, 2, 3, 4, "
                            + "so this entry must have id \(expected)"
                    )
                    id = nil
                }
            } else {
                report(item, "line \(expected) has no id; add id: \(expected)")
            }
            var name: String?
            if let field = fields["name"] {
                name = text(field.value, "the name of line \(expected)", example: "Service Desk")
            } else {
                report(item, "line \(expected) has no name; add one, for example name: Service Desk")
            }
            var agreement: Int?
            if let field = fields["agreement"] {
                if let reference = text(field.value, "the agreement of line \(expected)", example: "desk-ola") {
                    agreement = agreements.firstIndex { $0.name == reference }
                    if let index = agreement {
                        if let kind = agreements[index].kind, expected <= 4,
                            let message = Self.kindMismatch(
                                line: expected, agreement: reference, kind: kind)
                        {
                            report(field.value, message)
                            agreement = nil
                        }
                    } else if drafts != nil {
                        report(
                            field.value, "unknown agreement \"\(reference)\"; defined agreements are \(nameList(names))"
                        )
                    }
                }
            } else {
                report(
                    item, "line \(expected) has no agreement; add the \(expected == 4 ? "uc" : "ola") it works under")
            }
            var team: String?
            if let field = fields["team"] {
                team = text(field.value, "the team of line \(expected)", example: "desk")
                if let name = team {
                    checkReference(
                        field.value, name, "the team of line \(expected)", teams: teams, people: PeopleTable(),
                        personAllowed: false)
                }
            } else if teams.present {
                // Only once on-call is in use: a configuration without teams is not missing anything.
                warn(item, "line \(expected) has no team, so nobody is on call for its tickets; add team: NAME")
            }
            if let id, let name, let agreement {
                lines.append(SupportLine(id: id, name: name, agreement: agreement, team: team))
            } else {
                lines.append(nil)
            }
        }
        return lines
    }

    private static func kindMismatch(line: Int, agreement: String, kind: AgreementKind) -> String? {
        if line == 4 {
            guard kind != .uc else { return nil }
            return "line 4 is the vendor, held to an underpinning contract: its agreement must be a uc, "
                + "but \"\(agreement)\" is \(article(kind)) \(kind.rawValue)"
        }
        guard kind != .ola else { return nil }
        return "line \(line) is an internal group held to an operational level agreement: its agreement must be "
            + "an ola, but \"\(agreement)\" is \(article(kind)) \(kind.rawValue)"
    }

    static let maximumHierarchicalRules = 64

    /// - Parameters: teams, people: what `notify` may name; checked only when either section is present,
    ///   so configurations from before on-call keep loading.
    mutating func readEscalation(_ node: Node, teams: TeamTable, people: PeopleTable) -> [HierarchicalRule] {
        guard let fields = mapping(node, "escalation", allowed: ["hierarchical"], example: "{hierarchical: [...]}"),
            let field = fields["hierarchical"],
            let items = list(
                field.value, "hierarchical", example: "[{clock: resolution, at: 90%, notify: duty-manager}]")
        else { return [] }
        if items.count > Self.maximumHierarchicalRules {
            report(
                field.value,
                "there are \(items.count) hierarchical rules; at most \(Self.maximumHierarchicalRules) are allowed"
            )
        }
        var rules: [HierarchicalRule] = []
        for item in items {
            let what = "this hierarchical rule"
            guard
                let rule = mapping(
                    item, what, allowed: ["clock", "line", "at", "notify"],
                    example: "{clock: resolution, at: 90%, notify: duty-manager}")
            else { continue }
            var clock: ClockKind?
            if let entry = rule["clock"] {
                if let name = text(entry.value, "the clock of \(what)", example: "resolution") {
                    clock = ClockKind(rawValue: name)
                    if clock == nil {
                        report(entry.value, "unknown clock \"\(name)\"; write response, resolution or line")
                    }
                }
            } else {
                report(item, "\(what) has no clock; add clock: response, resolution or line")
            }
            var line: Int?
            if let entry = rule["line"] {
                if let clock, clock != .line {
                    report(
                        entry.keyNode,
                        "line applies only to clock: line; "
                            + "this rule watches the \(clock.rawValue) clock, so remove line"
                    )
                } else {
                    line = integer(entry.value, "the line of \(what)", in: 1...4, example: "4")
                }
            }
            var percent: Int?
            if let entry = rule["at"] {
                percent = self.percent(entry.value, "at", in: 1...1000)
            } else {
                report(item, "\(what) has no at; add the share of the target that triggers it, for example at: 90%")
            }
            var notify: String?
            if let entry = rule["notify"] {
                notify = text(entry.value, "notify of \(what)", example: "duty-manager")
                if let name = notify, teams.present || people.present {
                    checkReference(
                        entry.value, name, "notify of \(what)", teams: teams, people: people, personAllowed: true)
                }
            } else {
                report(item, "\(what) has no notify; add who is told, for example notify: duty-manager")
            }
            if let clock, let percent, let notify, rule["line"] == nil || line != nil {
                rules.append(HierarchicalRule(clock: clock, line: line, percent: percent, notify: notify))
            }
        }
        return rules
    }

    /// Warns where the lines' resolution targets for a priority add up to more than an SLA's resolution
    /// target.
    mutating func checkLinesFit(agreements: [AgreementDraft], lines: [SupportLine?], priorities: PriorityTable) {
        guard lines.count == 4 else { return }
        let lineAgreements = lines.map { $0.map { agreements[$0.agreement] } }
        guard lineAgreements.allSatisfy({ $0 != nil }) else { return }
        for sla in agreements where sla.kind == .sla {
            for (level, targets) in sla.targets.enumerated() {
                guard let limit = targets?.resolution?.seconds, let node = sla.resolutionNodes[level] else { continue }
                let held = lineAgreements.map { agreement -> Int64 in
                    guard let targets = agreement?.targets, level < targets.count else { return 0 }
                    return targets[level]?.resolution?.seconds ?? 0
                }
                let total = held.reduce(0, +)
                guard total > limit else { continue }
                let parts = held.enumerated().map { "line \($0.offset + 1) \(ServiceDuration.format($0.element))" }
                let priority = priorities.levels[level]
                // A warning, not an error: few tickets visit all four lines, and the lines' OLAs may count
                // in other calendars than the SLA's, where they do not add up.
                warn(
                    node,
                    "the support lines may hold a \(priority) ticket for \(ServiceDuration.format(total)) in all "
                        + "(\(parts.joined(separator: " + "))), "
                        + "more than \(sla.name ?? "this SLA")'s resolution target of "
                        + "\(ServiceDuration.format(limit)): a ticket passed through every line could breach "
                        + "while each line keeps its OLA"
                )
            }
        }
    }
}
