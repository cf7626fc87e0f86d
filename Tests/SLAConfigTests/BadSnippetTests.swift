import SLAConfig
import SLACore
import Testing

/// A configuration mistake and where and how it must be reported.
struct BadSnippet: Sendable, CustomTestStringConvertible {
    var name: String
    /// The whole document.
    var yaml: String
    var line: Int
    var column: Int
    var fragment: String
    /// How many diagnostics the document gives in all (no cascade of follow-up errors).
    var count = 1

    var testDescription: String { name }

    init(_ name: String, _ section: String, _ line: Int, _ column: Int, _ fragment: String, count: Int = 1) {
        self.name = name
        self.yaml = Fixture.document(section)
        self.line = line
        self.column = column
        self.fragment = fragment
        self.count = count
    }
}

private func office(_ body: String) -> String { Fixture.calendars(office: body) }
private func gold(_ text: String) -> String { Fixture.agreements(gold: text) }
private func extra(_ text: String) -> String { Fixture.agreements(extra: text) }
private func lines(_ entries: [String]) -> String { "lines:\n" + entries.map { "  - " + $0 }.joined(separator: "\n") }
private let line1 = "{id: 1, name: Service Desk, agreement: desk}"
private let line2 = "{id: 2, name: Incident Management, agreement: ops}"
private let line3 = "{id: 3, name: Development, agreement: dev}"
private let line4 = "{id: 4, name: Vendor, agreement: vendor}"
private func rule(_ text: String) -> String { "escalation:\n  hierarchical:\n    - " + text }

let calendarCases: [BadSnippet] = [
    .init("timezone missing", office("hours: {mon: [\"08:00-17:00\"]}"), 3, 5, "calendar \"office\" has no timezone"),
    .init("timezone unknown", office("timezone: Mars/Olympus"), 3, 15, "unknown time zone \"Mars/Olympus\""),
    .init(
        "timezone with a NUL", office("timezone: \"Europe/Ber\\0lin\""), 3, 15,
        "the time zone \"Europe/Ber\\u{0}lin\" of calendar \"office\" is refused: it holds a control character"),
    .init(
        "timezone with an escape", office("timezone: \"Europe/\\e[2JBerlin\""), 3, 15,
        "\"Europe/\\u{1B}[2JBerlin\" of calendar \"office\" is refused: it holds a control character"),
    .init(
        "timezone out of the folder", office("timezone: ../../etc/passwd"), 3, 15,
        "is refused: it is not an IANA zone name"),
    .init(
        "unknown calendar key", office("timezone: UTC\nholiday: [\"2026-12-24\"]"), 4, 5,
        "unknown key \"holiday\" in calendar \"office\"; allowed keys are timezone, hours, holidays"),
    .init(
        "day key not a day", office("timezone: UTC\nhours:\n  monday: [\"08:00-17:00\"]"), 5, 7,
        "\"monday\" in the hours of calendar \"office\" is not a day"),
    .init("day range backwards", office("timezone: UTC\nhours:\n  fri-mon: [\"08:00-17:00\"]"), 5, 7, "forward range"),
    .init(
        "day named twice", office("timezone: UTC\nhours:\n  mon-fri: [\"08:00-17:00\"]\n  wed: [\"18:00-19:00\"]"),
        6, 7, "wed is named twice in the hours of calendar \"office\": by \"mon-fri\" (line 5) and by \"wed\""),
    .init("window malformed", office("timezone: UTC\nhours:\n  mon: [\"8-17\"]"), 5, 13, "must be written HH:MM-HH:MM"),
    .init(
        "window minute out of range", office("timezone: UTC\nhours:\n  mon: [\"08:60-17:00\"]"), 5, 13, "HH:MM-HH:MM"),
    .init("window past 24:00", office("timezone: UTC\nhours:\n  mon: [\"08:00-24:30\"]"), 5, 13, "HH:MM-HH:MM"),
    .init(
        "window starting at 24:00", office("timezone: UTC\nhours:\n  mon: [\"24:00-24:00\"]"), 5, 13, "starts at 24:00"),
    .init(
        "window backwards", office("timezone: UTC\nhours:\n  mon: [\"18:00-08:00\"]"), 5, 13,
        "does not end after it starts; a window cannot run past midnight"),
    .init(
        "windows overlap", office("timezone: UTC\nhours:\n  mon: [\"08:00-12:00\", \"11:00-13:00\"]"), 5, 28,
        "the window 11:00-13:00 overlaps 08:00-12:00 on mon"),
    .init("hours not a list", office("timezone: UTC\nhours:\n  mon: \"08:00-17:00\""), 5, 12, "must be a list"),
    .init("no service at all", office("timezone: UTC\nhours:\n  sat: []"), 5, 7, "give no service at all"),
    .init(
        "holiday impossible", office("timezone: UTC\nholidays: [\"2026-02-30\"]"), 4, 16, "is not a day of the calendar"
    ),
    .init(
        "holiday in year 0", office("timezone: UTC\nholidays: [\"0000-01-01\"]"), 4, 16,
        "\"0000-01-01\" is in the year 0; write a year from 0001 to 9999"),
    .init(
        "holiday after 9999", office("timezone: UTC\nholidays: [\"10000-01-01\"]"), 4, 16,
        "\"10000-01-01\" must be a date written YYYY-MM-DD"
    ),
    .init(
        "holiday malformed", office("timezone: UTC\nholidays: [24.12.2026]"), 4, 16, "must be a date written YYYY-MM-DD"
    ),
    .init("calendars empty", "calendars: {}", 1, 12, "calendars is empty; define at least one"),
    .init("calendar not a mapping", office("UTC"), 3, 5, "calendar \"office\" must be a mapping"),
]

let priorityCases: [BadSnippet] = [
    .init("levels missing", "priorities:\n  matrix: {}", 2, 3, "priorities has no levels"),
    .init("levels not a list", "priorities:\n  levels: P1", 2, 11, "levels must be a list"),
    .init("levels empty", "priorities:\n  levels: []", 2, 11, "levels is empty"),
    .init("level twice", "priorities:\n  levels: [P1, P2, P1]", 2, 20, "\"P1\" is listed twice"),
    .init(
        "unknown priorities key", "priorities:\n  levels: [P1, P2]\n  matrx: {}", 3, 3,
        "unknown key \"matrx\" in priorities; allowed keys are levels, matrix"),
    .init(
        "matrix names unknown level", "priorities:\n  levels: [P1, P2]\n  matrix:\n    high: {high: P1, low: P5}",
        4, 27, "unknown priority \"P5\"; the levels are P1, P2"),
    .init(
        "matrix row lacks urgency",
        "priorities:\n  levels: [P1, P2]\n  matrix:\n    high: {high: P1, low: P2}\n    low: {high: P2}", 5, 10,
        "impact row \"low\" of the priority matrix has no urgency \"low\""),
    .init(
        "matrix row has extra urgency",
        "priorities:\n  levels: [P1, P2]\n  matrix:\n    high: {high: P1}\n    low: {high: P2, low: P2}", 5, 21,
        "urgency \"low\" in impact row \"low\" of the priority matrix is not in the first row"),
]

let agreementCases: [BadSnippet] = [
    .init(
        "agreement name twice", extra("{name: ops, kind: ola, calendar: office, targets: {P1: {resolution: 1h}}}"),
        7, 12, "agreement name \"ops\" is already used"),
    .init(
        "agreement without name", extra("{kind: ola, calendar: office, targets: {P1: {resolution: 1h}}}"), 7, 5,
        "this agreement has no name"),
    .init(
        "kind unknown", gold("{name: gold, kind: SLA, calendar: always, targets: {P1: {resolution: 4h}}}"), 2, 24,
        "unknown kind \"SLA\" of agreement \"gold\"; write sla, ola or uc"),
    .init(
        "kind missing", gold("{name: gold, calendar: always, targets: {P1: {resolution: 4h}}}"), 2, 5,
        "agreement \"gold\" has no kind"),
    .init(
        "calendar unknown", gold("{name: gold, kind: sla, calendar: ofice, targets: {P1: {resolution: 4h}}}"), 2, 39,
        "unknown calendar \"ofice\"; defined calendars are office, always"),
    .init(
        "calendar missing", gold("{name: gold, kind: sla, targets: {P1: {resolution: 4h}}}"), 2, 5,
        "agreement \"gold\" has no calendar"),
    .init(
        "target calendar unknown",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4h, calendar: offices}}}"), 2, 88,
        "unknown calendar \"offices\""),
    .init(
        "match on an ola",
        extra("{name: x, kind: ola, calendar: office, match: {service: mail}, targets: {P1: {resolution: 1h}}}"), 7, 44,
        "match applies only to an sla"),
    .init(
        "match key unknown",
        gold("{name: gold, kind: sla, calendar: always, match: {services: [mail]}, targets: {P1: {resolution: 4h}}}"),
        2, 55, "unknown key \"services\" in the match of agreement \"gold\"; allowed keys are service, customer"),
    .init(
        "match list empty",
        gold("{name: gold, kind: sla, calendar: always, match: {customer: []}, targets: {P1: {resolution: 4h}}}"),
        2, 65, "which no ticket matches"),
    .init(
        "second default sla", extra("{name: silver, kind: sla, calendar: office, targets: {P1: {resolution: 4h}}}"),
        7, 5, "agreement \"silver\" is a second sla without match; only the first default SLA \"gold\""),
    .init(
        "targets missing", gold("{name: gold, kind: sla, calendar: always}"), 2, 5, "agreement \"gold\" has no targets"),
    .init(
        "target priority unknown", gold("{name: gold, kind: sla, calendar: always, targets: {P0: {resolution: 4h}}}"),
        2, 57, "unknown priority \"P0\" in the targets of agreement \"gold\"; the levels are P1, P2"),
    .init(
        "sla target sets nothing", gold("{name: gold, kind: sla, calendar: always, targets: {P1: {}}}"), 2, 61,
        "give response and/or resolution"),
    .init(
        "ola target with response",
        extra("{name: x, kind: ola, calendar: office, targets: {P1: {response: 10m, resolution: 1h}}}"), 7, 59,
        "agreement \"x\" is an ola: its targets are how long the support line may hold the ticket"),
    .init(
        "uc target without resolution",
        extra("{name: x, kind: uc, calendar: office, targets: {P1: {calendar: always}}}"),
        7, 57, "give resolution, how long the line may hold the ticket"),
    .init(
        "target unknown key", gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolve: 4h}}}"), 2, 62,
        "unknown key \"resolve\" in the P1 target of agreement \"gold\"; allowed keys are response, resolution, calendar"
    ),
    .init(
        "duration in days", gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 2d}}}"), 2, 74,
        "days are not accepted: a day of service hours is ambiguous (8 hours? 24?); write hours, e.g. 40h for five "
            + "8-hour office days"),
    .init(
        "duration malformed", gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4 hours}}}"),
        2, 74, "\"4 hours\" is not a duration"),
    .init(
        "duration zero", gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 0m}}}"), 2, 74,
        "is zero"),
    .init(
        "warn out of range",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4h}}, warn: [50%, 100%]}"), 2, 92,
        "100% is out of range; write a percentage from 1% to 99%"),
    .init(
        "warn twice",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4h}}, warn: [50%, 50]}"), 2, 92,
        "50% is listed twice"),
    .init(
        "warn not a percentage",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4h}}, warn: [half]}"), 2, 87,
        "\"half\" is not a percentage"),
    .init(
        "pause_on not a list",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4h}}, pause_on: {a: b}}"), 2, 90,
        "pause_on of agreement \"gold\" must be a list"),
    .init(
        "unknown agreement key",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4h}}, pauseon: [x]}"), 2, 80,
        "unknown key \"pauseon\" in an agreement; allowed keys are name, kind, calendar, match, targets, warn, pause_on"
    ),
    .init("agreements not a list", "agreements: {gold: {kind: sla}}", 1, 13, "agreements must be a list"),
]

let lineCases: [BadSnippet] = [
    .init("lines not a list", "lines: {desk: 1}", 1, 8, "lines must be a list"),
    .init(
        "line id not a number", lines([line1, "{id: two, name: Ops, agreement: ops}", line3, line4]), 3, 10,
        "the id of line 2 must be a whole number"),
    .init("three lines", lines([line1, line2, line3]), 2, 3, "exactly four support lines", count: 1),
    .init(
        "five lines", lines([line1, line2, line3, line4, "{id: 4, name: Other, agreement: vendor}"]), 2, 3,
        "(1 service desk, 2 incident management, 3 development and architecture, 4 vendor); 5 given"),
    .init(
        "ids out of order", lines([line1, line3, line2, line4]), 3, 10,
        "line id 3 is out of order: the lines are listed 1, 2, 3, 4, so this entry must have id 2", count: 2),
    .init("line without name", lines([line1, "{id: 2, agreement: ops}", line3, line4]), 3, 5, "line 2 has no name"),
    .init(
        "line agreement unknown", lines([line1, line2, "{id: 3, name: Dev, agreement: deev}", line4]), 4, 35,
        "unknown agreement \"deev\"; defined agreements are gold, desk, ops, dev, vendor"),
    .init(
        "line 2 under a uc", lines([line1, "{id: 2, name: Ops, agreement: vendor}", line3, line4]), 3, 35,
        "its agreement must be an ola, but \"vendor\" is a uc"),
    .init(
        "line 1 under an sla", lines(["{id: 1, name: Desk, agreement: gold}", line2, line3, line4]), 2, 36,
        "line 1 is an internal group held to an operational level agreement"),
    .init(
        "line 4 under an ola", lines([line1, line2, line3, "{id: 4, name: Vendor, agreement: dev}"]), 5, 38,
        "line 4 is the vendor, held to an underpinning contract: its agreement must be a uc, but \"dev\" is an ola"),
    .init(
        "unknown line key", lines([line1, line2, line3, "{id: 4, name: Vendor, agreement: vendor, sla: gold}"]), 5,
        46, "unknown key \"sla\" in line 4; allowed keys are id, name, agreement"),
]

let escalationCases: [BadSnippet] = [
    .init("clock unknown", rule("{clock: resolve, at: 90%, notify: x}"), 3, 15, "unknown clock \"resolve\""),
    .init(
        "line without clock line", rule("{clock: resolution, line: 2, at: 90%, notify: x}"), 3, 27,
        "line applies only to clock: line"),
    .init("line out of range", rule("{clock: line, line: 5, at: 90%, notify: x}"), 3, 27, "must be from 1 to 4"),
    .init(
        "at out of range", rule("{clock: line, at: 1001%, notify: x}"), 3, 25,
        "1001% is out of range; write a percentage from 1% to 1000%"),
    .init("at missing", rule("{clock: line, notify: x}"), 3, 7, "has no at"),
    .init("notify empty", rule("{clock: line, at: 90%, notify: \"\"}"), 3, 38, "is empty"),
    .init("notify missing", rule("{clock: line, at: 90%}"), 3, 7, "has no notify"),
    .init(
        "unknown rule key", rule("{clock: line, at: 90%, notify: x, when: always}"), 3, 41,
        "unknown key \"when\" in this hierarchical rule; allowed keys are clock, line, at, notify"),
    .init(
        "too many rules",
        "escalation:\n  hierarchical:\n"
            + String(repeating: "    - {clock: resolution, at: 90%, notify: x}\n", count: 65),
        3, 5, "there are 65 hierarchical rules; at most 64 are allowed"),
    .init(
        "unknown escalation key", "escalation:\n  functional: []", 2, 3,
        "unknown key \"functional\" in escalation; allowed keys are hierarchical"),
]

let fitCases: [BadSnippet] = [
    .init(
        "lines do not fit the sla",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 2h}, P2: {resolution: 8h}}}"), 2, 74,
        "the support lines may hold a P1 ticket for 3h in all (line 1 30m + line 2 30m + line 3 1h + line 4 1h), "
            + "more than gold's resolution target of 2h: a ticket passed through every line could breach while each "
            + "line keeps its OLA"),
    .init(
        "lines without a target count zero",
        gold("{name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 4h}, P2: {resolution: 59m}}}"), 2,
        96,
        "a P2 ticket for 1h in all (line 1 1h + line 2 0s + line 3 0s + line 4 0s), more than gold's resolution "
            + "target of 59m"),
]

let topLevelCases: [BadSnippet] = [
    .init(
        "unknown top-level key", "calender: {}", 1, 1,
        "unknown key \"calender\" in the configuration; allowed keys are calendars, priorities, agreements, lines, escalation"
    )
]

@Suite("Each rule reports its mistake at the offending node")
struct BadSnippetTests {
    @Test("the fixture itself is valid")
    func fixtureIsValid() {
        #expect(Fixture.diagnostics(Fixture.valid) == [])
    }

    @Test(
        arguments: calendarCases + priorityCases + agreementCases + lineCases + escalationCases + topLevelCases)
    func reports(_ bad: BadSnippet) {
        let diagnostics = Fixture.diagnostics(bad.yaml)
        let hit = diagnostics.contains {
            $0.line == bad.line && $0.column == bad.column && $0.message.contains(bad.fragment)
        }
        #expect(
            hit,
            "expected \(bad.line):\(bad.column) \(bad.fragment)\ngot:\n\(diagnostics.map(\.description).joined(separator: "\n"))"
        )
        #expect(diagnostics.count == bad.count, "\(diagnostics.map(\.description).joined(separator: "\n"))")
        #expect(diagnostics.allSatisfy { $0.file == "test.yaml" })
    }

    @Test("OLA fit is a warning: the file loads, the warning is at the SLA's target", arguments: fitCases)
    func fitWarns(_ bad: BadSnippet) throws {
        let check = ConfigLoader.check(yaml: bad.yaml, file: "test.yaml")
        _ = try check.result.get()
        #expect(check.warnings.count == bad.count, "\(check.warnings)")
        let warning = try #require(check.warnings.first)
        #expect((warning.line, warning.column) == (bad.line, bad.column))
        #expect(warning.message.contains(bad.fragment), "\(warning.message)")
        #expect(warning.severity == .warning)
        #expect(warning.description.hasPrefix("test.yaml:\(bad.line):\(bad.column): warning: "))
        // --strict: the same diagnostic as an error, and the file refused.
        guard case .failure(let errors) = check.strict else {
            Issue.record("--strict must refuse a file with warnings")
            return
        }
        #expect(errors.diagnostics.map(\.severity) == [.error])
        #expect(errors.diagnostics.first?.description == "test.yaml:\(bad.line):\(bad.column): \(warning.message)")
    }

    @Test("a file without warnings passes --strict")
    func strictWithoutWarnings() throws {
        let check = ConfigLoader.check(yaml: Fixture.valid, file: "test.yaml")
        #expect(check.warnings.isEmpty)
        _ = try check.strict.get()
    }
}
