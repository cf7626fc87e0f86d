import SLACore
import Yams

/// One agreement as read; fields with mistakes are nil, so later checks skip them.
struct AgreementDraft {
    var node: Node
    var name: String?
    var kind: AgreementKind?
    var calendar: Int?
    var match: AgreementMatch?
    /// Indexed by priority level.
    var targets: [PriorityTargets?]
    /// The `resolution` value of each priority's target, where the OLA-fit check reports.
    var resolutionNodes: [Int: Node] = [:]
    var warn: [Int] = []
    var pauseOn: [String] = []
    var objective: Int?

    var agreement: Agreement? {
        guard let name, let kind, let calendar else { return nil }
        return Agreement(
            name: name, kind: kind, calendar: calendar, match: match, targets: targets, warn: warn, pauseOn: pauseOn,
            objective: objective
        )
    }
}

extension ConfigReader {
    static let agreementKeys = ["name", "kind", "calendar", "match", "targets", "warn", "pause_on", "objective"]
    static let maximumPauseReasons = 64

    /// Reads the agreements; nil when the section is not a list, so references to it are not checked.
    mutating func readAgreements(_ node: Node, calendars: CalendarTable, priorities: PriorityTable) -> [AgreementDraft]?
    {
        guard let items = list(node, "agreements", example: "[{name: gold, kind: sla, calendar: always, targets: ...}]")
        else { return nil }
        if items.isEmpty {
            report(node, "agreements is empty; define the SLAs, the three OLAs of lines 1-3 and the UC of line 4")
        }
        var drafts: [AgreementDraft] = []
        for item in items {
            let draft = readAgreement(item, calendars: calendars, priorities: priorities)
            if let name = draft.name, let earlier = drafts.first(where: { $0.name == name }) {
                report(
                    Self.field(item, "name"),
                    "agreement name \"\(name)\" is already used by the agreement at line "
                        + "\(earlier.node.mark?.line ?? 1); "
                        + "give each agreement its own name"
                )
            }
            drafts.append(draft)
        }
        // The engine keeps a ticket's pause reason as one bit of a 64-bit mask.
        var reasons: Set<String> = []
        for draft in drafts {
            for reason in draft.pauseOn where !reasons.contains(reason) {
                reasons.insert(reason)
                if reasons.count == Self.maximumPauseReasons + 1 {
                    report(
                        Self.field(draft.node, "pause_on"),
                        "more than \(Self.maximumPauseReasons) different pause reasons are named in pause_on; "
                            + "use at most \(Self.maximumPauseReasons) (\"\(reason)\" is one too many)"
                    )
                }
            }
        }
        var defaultSLA: AgreementDraft?
        for draft in drafts where draft.kind == .sla && draft.match == nil && !Self.hasKey(draft.node, "match") {
            guard let first = defaultSLA else {
                defaultSLA = draft
                continue
            }
            report(
                draft.node,
                "agreement \"\(draft.name ?? "?")\" is a second sla without match; only the first default SLA "
                    + "\"\(first.name ?? "?")\" (line \(first.node.mark?.line ?? 1)) is ever used, "
                    + "so this one would never "
                    + "apply; give it a match or remove it"
            )
        }
        return drafts
    }

    private mutating func readAgreement(_ node: Node, calendars: CalendarTable, priorities: PriorityTable)
        -> AgreementDraft
    {
        var draft = AgreementDraft(node: node, targets: Array(repeating: nil, count: priorities.levels.count))
        guard
            let fields = mapping(
                node, "an agreement", allowed: Self.agreementKeys, example: "{name: gold, kind: sla, ...}")
        else { return draft }
        if let field = fields["name"] {
            draft.name = text(field.value, "the agreement's name", example: "gold")
        } else {
            report(node, "this agreement has no name; add one, for example name: gold")
        }
        let what = draft.name.map { "agreement \"\($0)\"" } ?? "this agreement"
        if let field = fields["kind"] {
            if let kind = text(field.value, "the kind of \(what)", example: "sla") {
                draft.kind = AgreementKind(rawValue: kind)
                if draft.kind == nil {
                    report(field.value, "unknown kind \"\(kind)\" of \(what); write sla, ola or uc")
                }
            }
        } else {
            report(node, "\(what) has no kind; add kind: sla, ola or uc")
        }
        if let field = fields["calendar"] {
            draft.calendar = readCalendarReference(field.value, calendars)
        } else {
            report(node, "\(what) has no calendar; add one, for example calendar: \(calendars.names.first ?? "office")")
        }
        if let field = fields["match"] {
            if let kind = draft.kind, kind != .sla {
                report(
                    field.keyNode,
                    "match applies only to an sla; \(what) is \(Self.article(kind)) \(kind.rawValue), which applies "
                        + "through its support line; remove match"
                )
            } else {
                draft.match = readMatch(field.value, what)
            }
        }
        if let field = fields["targets"] {
            readTargets(field.value, what, into: &draft, calendars: calendars, priorities: priorities)
        } else {
            report(node, "\(what) has no targets; add them per priority, for example targets: {P1: {resolution: 4h}}")
        }
        if let field = fields["warn"], let items = list(field.value, "warn of \(what)", example: "[50%, 75%, 90%]") {
            for item in items {
                guard let percent = percent(item, "the warning threshold", in: 1...99) else { continue }
                if draft.warn.contains(percent) {
                    report(item, "the warning threshold \(percent)% is listed twice in \(what); list each once")
                } else {
                    draft.warn.append(percent)
                }
            }
            draft.warn.sort()
        }
        if let field = fields["objective"] {
            draft.objective = percent(field.value, "the objective of \(what)", in: 1...100)
        }
        if let field = fields["pause_on"] {
            draft.pauseOn = texts(field.value, "pause_on of \(what)", example: "[waiting-customer]") ?? []
        }
        return draft
    }

    mutating func readCalendarReference(_ node: Node, _ calendars: CalendarTable) -> Int? {
        guard let name = text(node, "the calendar", example: calendars.names.first ?? "office") else { return nil }
        guard let index = calendars.index(of: name) else {
            guard calendars.reliable else { return nil }
            report(node, "unknown calendar \"\(name)\"; defined calendars are \(nameList(calendars.names))")
            return nil
        }
        return index
    }

    private mutating func readMatch(_ node: Node, _ what: String) -> AgreementMatch? {
        guard
            let fields = mapping(
                node, "the match of \(what)", allowed: ["service", "customer"], example: "{service: [mail]}")
        else { return nil }
        var match = AgreementMatch()
        if node.mapping?.count == 0 {
            report(
                node,
                "the match of \(what) is empty; name a service and/or a customer, "
                    + "or leave out match for the default SLA"
            )
        }
        for field in fields.entries {
            let values = texts(
                field.value, "\(field.key) in the match of \(what)", example: "[mail, erp]", scalarAllowed: true)
            if let values, values.isEmpty {
                report(
                    field.value,
                    "\(field.key) in the match of \(what) is an empty list, which no ticket matches; name at least one")
            }
            if field.key == "service" { match.services = values } else { match.customers = values }
        }
        return match
    }

    private mutating func readTargets(
        _ node: Node, _ what: String, into draft: inout AgreementDraft, calendars: CalendarTable,
        priorities: PriorityTable
    ) {
        guard let fields = mapping(node, "the targets of \(what)", allowed: nil, example: "{P1: {resolution: 4h}}")
        else { return }
        if fields.entries.isEmpty {
            report(
                node, "the targets of \(what) are empty; give at least one priority, for example P1: {resolution: 4h}")
        }
        for field in fields.entries {
            let level = priorities.index(of: field.key)
            if level == nil, priorities.levelsReliable {
                report(
                    field.keyNode,
                    "unknown priority \"\(field.key)\" in the targets of \(what); "
                        + "the levels are \(nameList(priorities.levels))"
                )
            }
            let targetWhat = "the \(field.key) target of \(what)"
            guard
                let target = mapping(
                    field.value, targetWhat, allowed: ["response", "resolution", "calendar", "objective"],
                    example: "{response: 15m, resolution: 4h}")
            else { continue }
            var calendar = draft.calendar
            if let entry = target["calendar"] { calendar = readCalendarReference(entry.value, calendars) }
            var targets = PriorityTargets()
            if let entry = target["response"] {
                if let kind = draft.kind, kind != .sla {
                    report(
                        entry.keyNode,
                        "\(what) is \(Self.article(kind)) \(kind.rawValue): its targets are how long the support line "
                            + "may hold the ticket, written as resolution; response applies only to an sla"
                    )
                } else if let seconds = duration(entry.value, "the response time of \(targetWhat)"), let calendar {
                    targets.response = Target(seconds: seconds, calendar: calendar)
                }
            }
            if let entry = target["resolution"] {
                if let seconds = duration(entry.value, "the resolution time of \(targetWhat)"), let calendar {
                    targets.resolution = Target(seconds: seconds, calendar: calendar)
                    if let level { draft.resolutionNodes[level] = entry.value }
                }
            }
            // A target with an unknown key has been reported already; do not add "sets nothing" to it.
            let allKeysKnown = target.entries.count == field.value.mapping?.count
            if target["response"] == nil, target["resolution"] == nil, allKeysKnown {
                if draft.kind == .sla {
                    report(
                        field.value,
                        "\(targetWhat) sets nothing; give response and/or resolution, for example {resolution: 4h}")
                } else {
                    report(
                        field.value,
                        "\(targetWhat) sets nothing; give resolution, how long the line may hold the ticket")
                }
            }
            if let entry = target["objective"] {
                targets.objective = percent(entry.value, "the objective of \(targetWhat)", in: 1...100)
            }
            if let level { draft.targets[level] = targets }
        }
    }

    static func article(_ kind: AgreementKind) -> String { kind == .sla ? "an" : (kind == .ola ? "an" : "a") }

    static func field(_ node: Node, _ key: String) -> Node? {
        node.mapping?.first { $0.key.scalar?.string == key }?.value
    }

    static func hasKey(_ node: Node, _ key: String) -> Bool { field(node, key) != nil }
}
