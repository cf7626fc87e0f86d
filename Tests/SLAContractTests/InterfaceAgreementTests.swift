import Foundation
import SLAContract
import SLAJSON
import Testing

/// The declarations of a Varlink interface description, parsed from its text.
struct ParsedInterface {
    var name = ""
    var types: [SlaInterface.RecordDeclaration] = []
    var methods: [SlaInterface.MethodDeclaration] = []
    var errors: [SlaInterface.RecordDeclaration] = []

    /// Parses `interface`, `type`, `method` and `error` declarations; comments (`#` to the end of the
    /// line) and whitespace do not matter.
    init(_ text: String) throws {
        let code = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.firstIndex(of: "#").map { line[..<$0] } ?? line[...] }
            .joined(separator: " ")
        var rest = Substring(code)
        func skipSpace() { rest = rest.drop(while: { $0.isWhitespace }) }
        func word() -> String {
            skipSpace()
            let word = rest.prefix(while: { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" })
            rest = rest.dropFirst(word.count)
            return String(word)
        }
        func fields() throws -> [VarlinkField] {
            skipSpace()
            guard rest.first == "(" else { throw ParseError(at: String(rest.prefix(40))) }
            guard let close = rest.firstIndex(of: ")") else { throw ParseError(at: String(rest.prefix(40))) }
            let inside = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            return try inside.split(separator: ",").compactMap { field in
                let parts = field.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts == [""] || parts.isEmpty { return nil }
                guard parts.count == 2 else { throw ParseError(at: String(field)) }
                return VarlinkField(parts[0], parts[1].replacingOccurrences(of: " ", with: ""))
            }
        }
        while true {
            let keyword = word()
            if keyword.isEmpty { break }
            switch keyword {
            case "interface": name = word()
            case "type": types.append(.init(word(), try fields()))
            case "error": errors.append(.init(word(), try fields()))
            case "method":
                let method = word()
                let parameters = try fields()
                skipSpace()
                guard rest.hasPrefix("->") else { throw ParseError(at: String(rest.prefix(40))) }
                rest = rest.dropFirst(2)
                methods.append(.init(name: method, parameters: parameters, reply: try fields()))
            default: throw ParseError(at: keyword)
            }
        }
        skipSpace()
        guard rest.isEmpty else { throw ParseError(at: String(rest.prefix(40))) }
    }

    struct ParseError: Error {
        var at: String
    }
}

/// A record as a test case: a value with every optional field set, and one with none.
struct RecordCase: CustomTestStringConvertible, Sendable {
    var name: String
    var fields: [VarlinkField]
    var full: JSONValue
    var minimal: JSONValue
    /// Decodes and encodes again: the round trip the test checks.
    var roundTrip: @Sendable (JSONValue) throws -> JSONValue

    init<Record: VarlinkRecord>(_ name: String, full: Record, minimal: Record) {
        self.name = name
        fields = Record.fields
        self.full = full.value
        self.minimal = minimal.value
        roundTrip = { value in try Record(value: value).value }
    }

    var testDescription: String { name }
}

let event = SlaInterface.Event(
    ticket: "INC-1", kind: .open, at: "2026-03-02T09:00:00Z", priority: "P2", impact: "high", urgency: "low",
    service: "mail", customer: "acme", line: 2, reason: "waiting-customer")
let clock = SlaInterface.Clock(
    clock: "line", line: 2, agreement: "ops-ola", calendar: "office", calendarHours: "mon-fri 08:00-18:00",
    state: "running", counted: 60, target: 3600, remaining: 3540, due: "2026-03-02T10:00:00Z")
let ticket = SlaInterface.Ticket(
    ticket: "INC-1", state: "open", priority: "P2", line: 2, sla: "gold", agreements: ["gold", "ops-ola"],
    pauseReason: "waiting-customer", clocks: [clock], events: [event],
    timeline: [["at": "2026-03-02T09:00:00Z", "kind": "due"]])
let summary = SlaInterface.TicketSummary(
    ticket: "INC-1", state: "open", priority: "P2", line: 2, sla: "gold", breached: true, clock: "line",
    clockLine: 2, agreement: "ops-ola", due: "2026-03-02T10:00:00Z", remaining: -60)
let lateness = SlaInterface.TimerLateness(
    samples: 10, p50Milliseconds: 0.5, p99Milliseconds: 0.75, maxMilliseconds: 1.25)
let journal = SlaInterface.JournalCounts(written: 3, dropped: 2, failed: 1)
let status = SlaInterface.Status.Reply(
    version: "0.2.0", uptime: 60, config: "/etc/slad/slad.yaml", configLoaded: "2026-03-02T08:00:00Z",
    openTickets: 1, armedTimers: 2, breaches: 3, nextDue: "2026-03-02T10:00:00Z", timerLateness: lateness,
    journal: journal, tzdata: "2026f",
    notifications: SlaInterface.NotificationCounts(pending: 2, failed: 1, failingChannels: ["hook"]))

let shift = SlaInterface.Shift(
    person: "bob", source: "override", layer: "business-hours", override: "ov-1", start: "2026-12-07T10:00:00Z",
    end: "2026-12-07T11:00:00Z")
let override = SlaInterface.Override(
    id: "ov-1", team: "desk", person: "bob", start: "2026-12-07T10:00:00Z", end: "2026-12-07T11:00:00Z",
    actor: 1000, created: "2026-12-07T09:00:00Z")

/// One full and one minimal value of every record of the interface.
let records: [RecordCase] = [
    .init("Event", full: event, minimal: SlaInterface.Event(ticket: "INC-1", kind: .respond)),
    .init(
        "Clock", full: clock,
        minimal: SlaInterface.Clock(
            clock: "response", agreement: "gold", calendar: "always", calendarHours: "24x7", state: "met",
            counted: 1)),
    .init(
        "Ticket", full: ticket,
        minimal: SlaInterface.Ticket(
            ticket: "INC-1", state: "open", priority: "P2", line: 1, sla: "gold", agreements: [], clocks: [],
            events: [], timeline: [])),
    .init(
        "TicketSummary", full: summary,
        minimal: SlaInterface.TicketSummary(
            ticket: "INC-1", state: "resolved", priority: "P4", line: 1, sla: "gold", breached: false)),
    .init(
        "Filter", full: SlaInterface.Filter(breached: true, dueWithin: 5400, line: 2, agreement: "gold"),
        minimal: SlaInterface.Filter()),
    .init("TimerLateness", full: lateness, minimal: lateness),
    .init("JournalCounts", full: journal, minimal: journal),
    .init(
        "Submit.Parameters", full: SlaInterface.Submit.Parameters(events: [event]),
        minimal: SlaInterface.Submit.Parameters(events: [])),
    .init(
        "Submit.Reply", full: SlaInterface.Submit.Reply(accepted: 2), minimal: SlaInterface.Submit.Reply(accepted: 0)),
    .init(
        "GetTicket.Parameters", full: SlaInterface.GetTicket.Parameters(ticket: "INC-1", skip: 10_000),
        minimal: SlaInterface.GetTicket.Parameters(ticket: "INC-1")),
    .init(
        "GetTicket.Reply", full: SlaInterface.GetTicket.Reply(ticket: ticket, truncated: 5),
        minimal: SlaInterface.GetTicket.Reply(ticket: ticket)),
    .init(
        "ListTickets.Parameters",
        full: SlaInterface.ListTickets.Parameters(filter: SlaInterface.Filter(line: 1), limit: 5),
        minimal: SlaInterface.ListTickets.Parameters()),
    .init(
        "ListTickets.Reply", full: SlaInterface.ListTickets.Reply(tickets: [summary]),
        minimal: SlaInterface.ListTickets.Reply(tickets: [])),
    .init(
        "Watch.Reply", full: SlaInterface.Watch.Reply(record: ["kind": "due"]),
        minimal: SlaInterface.Watch.Reply(record: [:])),
    .init(
        "Status.Reply", full: status,
        minimal: SlaInterface.Status.Reply(
            version: "0.2.0", uptime: 0, config: "c", configLoaded: "2026-03-02T08:00:00Z", openTickets: 0,
            armedTimers: 0, breaches: 0)),
    .init("Summary", full: SlaInterface.Summary(summary: "ok"), minimal: SlaInterface.Summary(summary: "")),
    .init(
        "UnknownTicket", full: SlaInterface.UnknownTicket(ticket: "INC-1", index: 3),
        minimal: SlaInterface.UnknownTicket(ticket: "INC-1")),
    .init(
        "InvalidEvent", full: SlaInterface.InvalidEvent(index: 1, message: "no"),
        minimal: SlaInterface.InvalidEvent(index: 0, message: "")),
    .init(
        "InvalidConfig", full: SlaInterface.InvalidConfig(errors: ["a:1:1: x"]),
        minimal: SlaInterface.InvalidConfig(errors: [])),
    // On call.
    .init(
        "Person",
        full: SlaInterface.Person(
            id: "alice", name: "Alice Adams", timezone: "Europe/Berlin",
            contacts: [SlaInterface.Contact(channel: "email", address: "alice@example.com")]),
        minimal: SlaInterface.Person(id: "bob")),
    .init("Contact", full: SlaInterface.Contact(channel: "chat", address: "@a"), minimal: SlaInterface.Contact(
        channel: "email", address: "a@example.com")),
    .init("Shift", full: shift, minimal: SlaInterface.Shift(person: nil, source: "nobody", start: "a", end: "b")),
    .init(
        "OnCall",
        full: SlaInterface.OnCall(
            team: "desk", at: "2026-12-07T12:00:00Z", person: SlaInterface.Person(id: "bob"), source: "layer",
            layer: "business-hours", override: "ov-1", since: "2026-12-07T08:00:00Z", until: "2026-12-07T17:00:00Z",
            next: shift),
        minimal: SlaInterface.OnCall(team: "desk", at: "2026-12-07T12:00:00Z", person: nil, source: "nobody")),
    .init("Override", full: override, minimal: override),
    .init(
        "WhoIsOnCall.Parameters", full: SlaInterface.WhoIsOnCall.Parameters(team: "desk", line: 1, at: "x"),
        minimal: SlaInterface.WhoIsOnCall.Parameters()),
    .init(
        "ListShifts.Reply", full: SlaInterface.ListShifts.Reply(timezone: "Europe/Berlin", shifts: [shift]),
        minimal: SlaInterface.ListShifts.Reply(timezone: "UTC", shifts: [])),
    .init(
        "AddOverride.Parameters",
        full: SlaInterface.AddOverride.Parameters(team: "desk", person: "bob", start: "a", end: "b"),
        minimal: SlaInterface.AddOverride.Parameters(team: "desk", person: "bob", start: "a", end: "b")),
    .init(
        "ListOverrides.Reply", full: SlaInterface.ListOverrides.Reply(overrides: [override]),
        minimal: SlaInterface.ListOverrides.Reply(overrides: [])),
    .init("UnknownTeam", full: SlaInterface.UnknownTeam(team: "x"), minimal: SlaInterface.UnknownTeam(team: "x")),
    .init("NoTeam", full: SlaInterface.NoTeam(line: 2), minimal: SlaInterface.NoTeam(line: 2)),
    .init(
        "InvalidOverride", full: SlaInterface.InvalidOverride(reason: "r"),
        minimal: SlaInterface.InvalidOverride(reason: "r")),
    .init(
        "UnknownOverride", full: SlaInterface.UnknownOverride(id: "ov-1"),
        minimal: SlaInterface.UnknownOverride(id: "ov-1")),
]

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite("The contract's Swift types agree with io.slad.Sla.varlink")
struct InterfaceAgreementTests {
    static let parsed = Result { try ParsedInterface(SlaInterface.description) }

    @Test("the description slad serves is the shipped io.slad.Sla.varlink file")
    func shippedFile() throws {
        let file = try String(contentsOfFile: packageRoot + "/Sources/SLAContract/io.slad.Sla.varlink", encoding: .utf8)
        #expect(SlaInterface.description + "\n" == file)
    }

    @Test("the description names the interface")
    func name() throws {
        #expect(try Self.parsed.get().name == SlaInterface.name)
    }

    @Test("every method: its name, its parameters' and its reply's fields with their types and optionality")
    func methods() throws {
        let declared = try Self.parsed.get().methods
        #expect(declared.map(\.name) == SlaInterface.methods.map(\.name))
        for method in SlaInterface.methods {
            let text = declared.first { $0.name == method.name }
            #expect(text?.parameters == method.parameters, "\(method.name) parameters")
            #expect(text?.reply == method.reply, "\(method.name) reply")
        }
    }

    @Test("every type: its fields with their types and optionality")
    func types() throws {
        #expect(try Self.parsed.get().types == SlaInterface.types)
    }

    @Test("every error: its parameters")
    func errors() throws {
        #expect(try Self.parsed.get().errors == SlaInterface.errors)
    }

    @Test("each record writes exactly its fields: all of them when set, only the required ones when not", arguments: records)
    func writesItsFields(_ record: RecordCase) throws {
        let all = record.fields.map(\.name).sorted()
        let required = record.fields.filter { !$0.isOptional }.map(\.name).sorted()
        #expect(record.full.object?.keys.sorted() == all)
        #expect(record.minimal.object?.keys.sorted() == required)
    }

    @Test("each record reads back what it wrote", arguments: records)
    func roundTrip(_ record: RecordCase) throws {
        for value in [record.full, record.minimal] {
            let text = value.encode()
            #expect(try record.roundTrip(try JSONValue.decode(text)).encode() == text)
        }
    }

    @Test("a record without one of its required fields is refused, naming the field", arguments: records)
    func requiredFields(_ record: RecordCase) throws {
        guard case .object(let members) = record.full else { return }
        for field in record.fields where !field.isOptional {
            var missing = members
            missing[field.name] = nil
            #expect(throws: ContractError.self, "\(record.name) without \(field.name)") {
                _ = try record.roundTrip(.object(missing))
            }
        }
    }

    @Test("optional fields may be null; unknown members are ignored in replies")
    func nullAndUnknown() throws {
        let summary = try SlaInterface.TicketSummary(
            json: [
                "ticket": "INC-1", "state": "open", "priority": "P1", "line": 1, "sla": "gold", "breached": false,
                "due": nil, "tzdata": "2026f",
            ])
        #expect(summary.due == nil)
    }

    @Test(
        "a filter refuses unknown members and a within that is no duration, naming the member",
        arguments: [
            (["lines": 2], "filter.lines"), (["within": "1d"], "filter.within"),
            (["breached": 1], "filter.breached"), (["line": "2"], "filter.line"), ([1], "filter"),
        ] as [(JSONValue, String)])
    func filterRefusals(_ filter: JSONValue, _ field: String) {
        #expect {
            _ = try SlaInterface.ListTickets.Parameters(json: ["filter": filter])
        } throws: { error in
            (error as? ContractError)?.field == field
        }
    }
}
