import Foundation
import SLACore
import Yams

/// The people section as read: every id (so references resolve even to a person with mistakes).
struct PeopleTable {
    var people: [OnCallPerson] = []
    /// False when the section is missing or unreadable: references to people are then not checked
    /// one by one (the missing section is reported once).
    var reliable = false
    var present = false

    func contains(_ id: String) -> Bool { people.contains { $0.id == id } }
}

/// The teams section as read: names with their key nodes (for warnings at the team), and the teams built.
struct TeamTable {
    var names: [String] = []
    var keyNodes: [Node] = []
    var teams: [OnCallTeam] = []
    var present = false
}

extension ConfigReader {
    static let personKeys = ["name", "timezone", "contacts", "user", "channels"]
    static let contactChannels = ["email", "phone", "chat"]
    static let teamKeys = ["timezone", "layers", "fallback"]
    static let layerKeys = ["name", "members", "every", "start", "active"]

    mutating func readPeople(_ node: Node) -> PeopleTable {
        var table = PeopleTable()
        table.present = true
        guard let fields = mapping(node, "people", allowed: nil, example: "alice: {contacts: {email: a@example.com}}")
        else { return table }
        table.reliable = true
        for field in fields.entries {
            let what = "person \"\(field.key)\""
            var person = OnCallPerson(id: field.key)
            defer { table.people.append(person) }
            if ConfigReader.isNull(field.value) { continue }
            guard
                let entries = mapping(
                    field.value, what, allowed: Self.personKeys, example: "{name: Alice Adams, contacts: {email: ...}}")
            else { continue }
            if let entry = entries["name"] {
                person.displayName = text(entry.value, "the name of \(what)", example: "Alice Adams")
            }
            if let entry = entries["timezone"] { person.zone = readTimeZone(entry.value, what) }
            if let entry = entries["contacts"],
                let contacts = mapping(
                    entry.value, "the contacts of \(what)", allowed: Self.contactChannels,
                    example: "{email: alice@example.com, phone: \"+49 170 1111111\", chat: \"@alice\"}")
            {
                for contact in contacts.entries {
                    if let address = text(contact.value, "the \(contact.key) of \(what)", example: "alice@example.com")
                    {
                        person.contacts.append(OnCallPerson.Contact(channel: contact.key, address: address))
                    }
                }
            }
        }
        return table
    }

    mutating func readTeams(_ node: Node, people: PeopleTable) -> TeamTable {
        var table = TeamTable()
        table.present = true
        guard
            let fields = mapping(node, "teams", allowed: nil, example: "desk: {timezone: Europe/Berlin, layers: [...]}")
        else { return table }
        for field in fields.entries {
            table.names.append(field.key)
            table.keyNodes.append(field.keyNode)
            if let team = readTeam(name: field.key, field.value, people: people) { table.teams.append(team) }
        }
        return table
    }

    /// A reference to a person, reported at `node` when nobody by that id is configured.
    private mutating func personReference(_ node: Node, _ what: String, people: PeopleTable) -> String? {
        guard let id = text(node, what, example: "alice") else { return nil }
        guard people.contains(id) else {
            let known = people.people.map(\.id)
            report(
                node,
                "unknown person \"\(id)\" in \(what); "
                    + (people.present ? "people defined are \(nameList(known))" : "define her or him under people")
            )
            return nil
        }
        return id
    }

    private mutating func readTeam(name: String, _ node: Node, people: PeopleTable) -> OnCallTeam? {
        let what = "team \"\(name)\""
        guard
            let fields = mapping(
                node, what, allowed: Self.teamKeys,
                example: "{timezone: Europe/Berlin, layers: [...], fallback: carol}")
        else { return nil }
        var zone: ZoneRules?
        if let field = fields["timezone"] {
            zone = readTimeZone(field.value, what)
        } else {
            report(node, "\(what) has no timezone; add the zone its handoffs happen in, for example Europe/Berlin")
        }
        let before = diagnostics.count
        var layers: [RotationLayer] = []
        if let field = fields["layers"],
            let items = list(field.value, "the layers of \(what)", example: "[{name: week, members: [alice], ...}]")
        {
            var names: [String: Node] = [:]
            for (position, item) in items.enumerated() {
                guard let layer = readLayer(item, position: position, team: what, people: people) else { continue }
                if let earlier = names[layer.name] {
                    report(
                        item,
                        "two layers of \(what) are named \"\(layer.name)\" (the first at line "
                            + "\(earlier.mark?.line ?? 1)); give each layer its own name")
                }
                names[layer.name] = item
                layers.append(layer)
            }
        }
        var fallback: String?
        if let field = fields["fallback"] {
            fallback = personReference(field.value, "the fallback of \(what)", people: people)
        }
        if fields["layers"] == nil, fields["fallback"] == nil {
            report(node, "\(what) has neither layers nor a fallback, so nobody would ever be on call; add layers")
        }
        guard let zone, diagnostics.count == before else { return nil }
        return OnCallTeam(name: name, zone: zone, layers: layers, fallback: fallback)
    }

    private mutating func readLayer(_ node: Node, position: Int, team: String, people: PeopleTable) -> RotationLayer? {
        var what = "layer \(position + 1) of \(team)"
        guard
            let fields = mapping(
                node, what, allowed: Self.layerKeys,
                example: "{name: week, members: [alice, bob], every: 1w, start: \"2026-11-30 09:00\"}")
        else { return nil }
        let before = diagnostics.count
        var name: String?
        if let field = fields["name"] {
            name = text(field.value, "the name of \(what)", example: "business-hours")
            if let name { what = "layer \"\(name)\" of \(team)" }
        } else {
            report(node, "\(what) has no name; add one, for example name: business-hours")
        }
        var members: [String] = []
        if let field = fields["members"] {
            if let items = list(field.value, "the members of \(what)", example: "[alice, bob]") {
                if items.isEmpty {
                    report(field.value, "\(what) is empty: it has no members; name who takes turns, or remove it")
                }
                for item in items {
                    if let id = personReference(item, "the members of \(what)", people: people) { members.append(id) }
                }
            }
        } else {
            report(node, "\(what) is empty: it has no members; add members: [alice, bob] in rotation order")
        }
        var every: TurnLength?
        if let field = fields["every"] {
            if let text = text(field.value, "every of \(what)", example: "1w") {
                every = TurnLength.parse(text)
                if every == nil {
                    report(
                        field.value,
                        "every \"\(text)\" of \(what) is not a turn length; write a whole number with w (weeks), "
                            + "d (local calendar days) or h (hours), for example 1w, 1d or 12h")
                }
            }
        } else {
            report(node, "\(what) has no every; add the length of a turn, for example every: 1w")
        }
        var start: LocalDateTime?
        if let field = fields["start"] {
            start = readLocalDateTime(field.value, "the start of \(what)")
        } else {
            report(node, "\(what) has no start; add the local time of the first handoff, for example "
                + "start: \"2026-11-30 09:00\"")
        }
        var active: [[ServiceWindow]]?
        if let field = fields["active"] {
            active = readHours(
                field.value, what,
                empty: "the active hours of \(what) cover no time at all, so the layer would never be on call; "
                    + "add windows such as mon-fri: [\"08:00-18:00\"], or leave out active for always")
        }
        guard let name, let every, let start, diagnostics.count == before else { return nil }
        return RotationLayer(name: name, members: members, every: every, start: start, active: active)
    }

    /// `YYYY-MM-DD HH:MM`, a day that exists and a time from 00:00 to 23:59.
    private mutating func readLocalDateTime(_ node: Node, _ what: String) -> LocalDateTime? {
        guard let text = text(node, what, example: "\"2026-11-30 09:00\"") else { return nil }
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ (0x30...0x39).contains($0) })
            else { return nil }
            return bytes[range].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        }
        guard bytes.count == 16, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x20, bytes[13] == 0x3A,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16)
        else {
            report(node, "\(what) \"\(text)\" must be a local time written YYYY-MM-DD HH:MM, for example "
                + "\"2026-11-30 09:00\"")
            return nil
        }
        let date = LocalDate(year: year, month: month, day: day)
        guard date.isValid, hour < 24, minute < 60 else {
            report(node, "\(what) \"\(text)\" is not a time of the calendar; check the month, day, hour and minute")
            return nil
        }
        return LocalDateTime(date: date, hour: hour, minute: minute)
    }

    /// A line's `team` or a hierarchical rule's `notify`: a team, or (for rules) a person too.
    mutating func checkReference(
        _ node: Node, _ name: String, _ what: String, teams: TeamTable, people: PeopleTable, personAllowed: Bool
    ) {
        if teams.names.contains(name) { return }
        if personAllowed, people.contains(name) { return }
        let kinds = personAllowed ? "team or person" : "team"
        var known = teams.names
        if personAllowed { known += people.people.map(\.id) }
        report(node, "unknown \(kinds) \"\(name)\" in \(what); defined are \(nameList(known))")
    }

    /// Warnings: gaps where nobody is on call in the 28 days from `now`, the first few listed.
    mutating func warnGaps(_ teams: TeamTable, now: Instant) {
        for (name, keyNode) in zip(teams.names, teams.keyNodes) {
            guard let team = teams.teams.first(where: { $0.name == name }) else { continue }
            let gaps = OnCallSchedule(team: team).shifts(from: now, until: now + 28 * 86_400)
                .filter { $0.source == .nobody }
            guard !gaps.isEmpty else { continue }
            let listed = gaps.prefix(3).map { "\($0.start) to \($0.end)" }.joined(separator: ", ")
            warn(
                keyNode,
                "nobody is on call for team \"\(name)\" in \(gaps.count) stretch\(gaps.count == 1 ? "" : "es") of "
                    + "the next 28 days: \(listed)\(gaps.count > 3 ? ", ..." : ""); add a fallback or a layer "
                    + "covering them")
        }
    }
}
