import SLAConfig
import SLACore
import Testing

/// A valid configuration with on-call: people and teams first (lines 1-17), then the rest.
private let onCall = """
    people:
      alice: {name: Alice Adams, timezone: Europe/Berlin, contacts: {email: alice@example.com, chat: "@alice"}}
      bob: {contacts: {email: bob@example.com}}
      carol: {}
    teams:
      desk:
        timezone: Europe/Berlin
        layers:
          - name: business-hours
            members: [alice, bob]
            every: 1w
            start: "2026-11-30 09:00"
            active: {mon-fri: ["08:00-18:00"]}
        fallback: carol
      duty-manager:
        timezone: Europe/Berlin
        layers: [{name: managers, members: [carol], every: 1w, start: "2026-11-30 09:00"}]
    lines:
      - {id: 1, name: Service Desk, agreement: desk, team: desk}
      - {id: 2, name: Incident Management, agreement: ops, team: desk}
      - {id: 3, name: Development, agreement: dev, team: desk}
      - {id: 4, name: Vendor, agreement: vendor, team: duty-manager}
    escalation:
      hierarchical:
        - {clock: resolution, at: 90%, notify: duty-manager}
        - {clock: resolution, at: 100%, notify: alice}
    """

/// The whole document with line `number` (1-based) of the on-call part replaced.
private func document(_ number: Int? = nil, _ text: String = "") -> String {
    var lines = onCall.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let number { lines[number - 1] = text }
    let rest = ["calendars", "priorities", "agreements"].compactMap { Fixture.sections[$0] }
    return (lines + rest).joined(separator: "\n") + "\n"
}

/// One on-call mistake: the replaced line, where the diagnostic must point (the first occurrence of
/// `at` in that line), and a fragment of its message.
struct OnCallMistake: Sendable, CustomTestStringConvertible {
    var name: String
    var line: Int
    var text: String
    var at: String
    var fragment: String
    var testDescription: String { name }

    var column: Int { text.distance(from: text.startIndex, to: text.range(of: at)!.lowerBound) + 1 }
}

let onCallMistakes: [OnCallMistake] = [
    .init(name: "unknown person in a layer", line: 10, text: "        members: [alice, zed]", at: "zed",
        fragment: "unknown person \"zed\" in the members of layer \"business-hours\" of team \"desk\""),
    .init(name: "unknown fallback", line: 14, text: "    fallback: zed", at: "zed",
        fragment: "unknown person \"zed\" in the fallback of team \"desk\""),
    .init(name: "empty layer", line: 10, text: "        members: []", at: "[]",
        fragment: "layer \"business-hours\" of team \"desk\" is empty"),
    .init(name: "bad every", line: 11, text: "        every: 1m", at: "1m",
        fragment: "every \"1m\" of layer \"business-hours\" of team \"desk\" is not a turn length"),
    .init(name: "zero every", line: 11, text: "        every: 0d", at: "0d", fragment: "is not a turn length"),
    .init(name: "malformed start", line: 12, text: "        start: \"2026-11-30T09:00\"", at: "\"",
        fragment: "must be a local time written YYYY-MM-DD HH:MM"),
    .init(name: "impossible start", line: 12, text: "        start: \"2026-11-31 09:00\"", at: "\"",
        fragment: "is not a time of the calendar"),
    .init(name: "malformed active window", line: 13, text: "        active: {mon-fri: [\"08:00-1800\"]}",
        at: "\"08", fragment: "must be written HH:MM-HH:MM"),
    .init(name: "overlapping active windows", line: 13,
        text: "        active: {mon-fri: [\"08:00-18:00\", \"17:00-19:00\"]}", at: "\"17",
        fragment: "the window 17:00-19:00 overlaps 08:00-18:00"),
    .init(name: "active day not a day", line: 13, text: "        active: {weekdays: [\"08:00-18:00\"]}",
        at: "weekdays", fragment: "is not a day"),
    .init(name: "team timezone unknown", line: 7, text: "    timezone: Mars/Olympus", at: "Mars",
        fragment: "unknown time zone \"Mars/Olympus\" in team \"desk\""),
    .init(name: "person timezone unknown", line: 3, text: "  bob: {timezone: Europe/Nowhere}", at: "Europe",
        fragment: "unknown time zone \"Europe/Nowhere\" in person \"bob\""),
    .init(name: "unknown contact channel", line: 3, text: "  bob: {contacts: {fax: 123}}", at: "fax",
        fragment: "unknown key \"fax\" in the contacts of person \"bob\""),
    .init(name: "line naming an unknown team", line: 19,
        text: "  - {id: 1, name: Service Desk, agreement: desk, team: dsk}", at: "dsk",
        fragment: "unknown team \"dsk\" in the team of line 1; defined are desk, duty-manager"),
    .init(name: "line naming a person, not a team", line: 19,
        text: "  - {id: 1, name: Service Desk, agreement: desk, team: alice}", at: "alice",
        fragment: "unknown team \"alice\""),
    .init(name: "rule naming an unknown team or person", line: 25,
        text: "    - {clock: resolution, at: 90%, notify: duty-manger}", at: "duty-manger",
        fragment: "unknown team or person \"duty-manger\" in notify of this hierarchical rule"),
]

@Suite("Configuration: people and teams")
struct OnCallConfigTests {
    @Test("the on-call configuration loads: people, teams, layers, a line's team, rules naming a team or person")
    func loads() throws {
        let configuration = try ConfigLoader.parse(yaml: document(), file: "test.yaml").get()
        #expect(configuration.people.map(\.id) == ["alice", "bob", "carol"])
        #expect(configuration.person(id: "alice")?.displayName == "Alice Adams")
        #expect(configuration.person(id: "alice")?.zone?.name == "Europe/Berlin")
        #expect(
            configuration.person(id: "alice")?.contacts == [
                .init(channel: "email", address: "alice@example.com"), .init(channel: "chat", address: "@alice"),
            ])
        let desk = try #require(configuration.team(named: "desk"))
        #expect(desk.zone.name == "Europe/Berlin")
        #expect(desk.fallback == "carol")
        #expect(
            desk.layers == [
                RotationLayer(
                    name: "business-hours", members: ["alice", "bob"], every: .weeks(1),
                    start: LocalDateTime(date: LocalDate(year: 2026, month: 11, day: 30), hour: 9, minute: 0),
                    active: Array(repeating: [ServiceWindow(start: 8 * 3600, end: 18 * 3600)], count: 5) + [[], []])
            ])
        #expect(configuration.lines.map(\.team) == ["desk", "desk", "desk", "duty-manager"])
    }

    @Test(arguments: onCallMistakes)
    func reports(_ mistake: OnCallMistake) {
        let diagnostics = Fixture.diagnostics(document(mistake.line, mistake.text))
        #expect(
            diagnostics.contains {
                $0.line == mistake.line && $0.column == mistake.column && $0.message.contains(mistake.fragment)
            },
            "expected \(mistake.line):\(mistake.column) \(mistake.fragment)\ngot:\n\(diagnostics.map(\.description))")
        #expect(diagnostics.count == 1, "\(diagnostics.map(\.description).joined(separator: "\n"))")
    }

    @Test("without people and teams, notify is not checked: configurations from before on-call still load")
    func notifyUncheckedWithoutOnCall() {
        #expect(Fixture.diagnostics(Fixture.valid) == [])
    }

    @Test("a line without a team is a warning once teams are configured, not an error")
    func lineWithoutTeamWarns() throws {
        let yaml = document(20, "  - {id: 2, name: Incident Management, agreement: ops}")
        let check = ConfigLoader.check(yaml: yaml, file: "test.yaml", now: nil)
        _ = try check.result.get()
        #expect(check.warnings.map(\.description) == [
            "test.yaml:20:5: warning: line 2 has no team, so nobody is on call for its tickets; add team: NAME"
        ])
        let without = ConfigLoader.check(yaml: Fixture.valid, file: "test.yaml", now: nil)
        #expect(without.warnings.isEmpty)
    }

    @Test("gaps where nobody is on call in the next 28 days are warnings at the team, the first few listed")
    func gapsWarn() throws {
        let yaml = document(14, "")
        let now = Timestamp.parse("2026-12-01T00:00:00Z")!
        let check = ConfigLoader.check(yaml: yaml, file: "test.yaml", now: now)
        _ = try check.result.get()
        #expect(check.warnings.count == 1)
        let warning = try #require(check.warnings.first)
        #expect((warning.line, warning.column) == (6, 3))
        // Office hours 08:00-18:00 CET on the 20 weekdays: a gap before the first and after each.
        #expect(warning.message.contains(
            "nobody is on call for team \"desk\" in 21 stretches of the next 28 days: "
                + "2026-12-01T00:00:00Z to 2026-12-01T07:00:00Z, 2026-12-01T17:00:00Z to 2026-12-02T07:00:00Z, "
                + "2026-12-02T17:00:00Z to 2026-12-03T07:00:00Z, ..."), "\(warning)")
        #expect(ConfigLoader.check(yaml: document(), file: "test.yaml", now: now).warnings.isEmpty)
    }
}
