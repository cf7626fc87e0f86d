import Foundation
import Testing

@testable import SLACore

/// Monday 2026-03-02 09:00:00Z; engine tests count minutes from here on a UTC 24x7 calendar.
let base = Instant(secondsSince1970: 1_772_442_000)

func at(_ minutes: Int64) -> Instant { base + minutes * 60 }

/// A small service desk: gold (matched) and standard (default) SLAs, four lines, management rules.
func testConfiguration(hierarchical: [HierarchicalRule]? = nil) -> Configuration {
    let always = BusinessCalendar(name: "always", zone: .utc, weeklyHours: nil)
    let office = weekdays("UTC", [window("09:00", "17:00")])
    func t(_ minutes: Int64, _ calendar: Int = 0) -> Target { Target(seconds: minutes * 60, calendar: calendar) }
    let gold = Agreement(
        name: "gold", kind: .sla, calendar: 0, match: AgreementMatch(services: ["mail"], customers: ["acme"]),
        targets: [
            PriorityTargets(response: t(15), resolution: t(240)),
            PriorityTargets(response: t(30), resolution: t(480)),
            PriorityTargets(response: t(60, 1), resolution: t(960, 1)),
            nil,
        ],
        warn: [50, 75, 90], pauseOn: ["waiting-customer"])
    let standard = Agreement(
        name: "standard", kind: .sla, calendar: 1,
        targets: [
            PriorityTargets(response: t(30), resolution: t(480)),
            PriorityTargets(response: t(60), resolution: t(960)),
            PriorityTargets(response: t(120, 1), resolution: t(1920, 1)),
            PriorityTargets(resolution: t(2880, 1)),
        ],
        warn: [75], pauseOn: ["waiting-customer", "waiting-vendor"])
    func ola(_ name: String, _ kind: AgreementKind, _ minutes: [Int64?], pauseOn: [String] = []) -> Agreement {
        Agreement(
            name: name, kind: kind, calendar: 0,
            targets: minutes.map { $0.map { PriorityTargets(resolution: t($0)) } }, warn: [75], pauseOn: pauseOn)
    }
    let agreements = [
        gold, standard,
        ola("desk-ola", .ola, [15, 30, 60, 120]),
        ola("ops-ola", .ola, [60, 120, 240, nil], pauseOn: ["waiting-vendor"]),
        ola("dev-ola", .ola, [60, 120, 240, 480]),
        ola("acme-uc", .uc, [60, 240, 480, 960]),
    ]
    return Configuration(
        calendars: [always, office],
        priorities: PriorityScheme(
            levels: ["P1", "P2", "P3", "P4"],
            matrix: [
                "high": ["high": 0, "medium": 1, "low": 2],
                "medium": ["high": 1, "medium": 2, "low": 3],
                "low": ["high": 2, "medium": 3, "low": 3],
            ]),
        agreements: agreements,
        lines: [
            SupportLine(id: 1, name: "Service Desk", agreement: 2),
            SupportLine(id: 2, name: "Incident Management", agreement: 3),
            SupportLine(id: 3, name: "Development and Architecture", agreement: 4),
            SupportLine(id: 4, name: "Vendor", agreement: 5),
        ],
        hierarchicalRules: hierarchical ?? [
            HierarchicalRule(clock: .resolution, percent: 90, notify: "duty-manager"),
            HierarchicalRule(clock: .resolution, percent: 100, notify: "service-owner"),
            HierarchicalRule(clock: .line, line: 4, percent: 100, notify: "vendor-manager"),
            HierarchicalRule(clock: .resolution, percent: 150, notify: "it-manager"),
        ])
}

/// Records as short lines: minutes after `base`, ticket, then the record's facts.
func describe(_ record: TimelineRecord) -> String {
    let minutes = (record.at - base) / 60
    let seconds = (record.at - base) % 60
    let when = seconds == 0 ? "\(minutes)" : "\(minutes)m\(seconds)s"
    func clock(_ id: ClockID) -> String { id.line.map { "line\($0)" } ?? id.kind.rawValue }
    let what: String
    switch record.kind {
    case .due(let c, let a, let due):
        let dueMinutes = (due - base) / 60
        let dueSeconds = (due - base) % 60
        what = "due \(clock(c)) \(a) \(dueSeconds == 0 ? "\(dueMinutes)" : "\(dueMinutes)m\(dueSeconds)s")"
    case .warning(let c, let a, let p): what = "warning \(clock(c)) \(a) \(p)"
    case .breach(let c, let a): what = "breach \(clock(c)) \(a)"
    case .met(let c, let a): what = "met \(clock(c)) \(a)"
    case .functionalEscalation(let from, let to, let reason): what = "escalate \(from)->\(to) \(reason.rawValue)"
    case .hierarchicalEscalation(let to, let c, let p): what = "inform \(to) \(clock(c)) \(p)"
    }
    return "\(when) \(record.ticket) \(what)"
}

/// Drives an ``SLAMachine`` the way the replay does and keeps every record.
struct Desk {
    var machine: SLAMachine
    var records: [TimelineRecord] = []

    init(_ configuration: Configuration = testConfiguration()) {
        machine = SLAMachine(configuration: configuration)
    }

    mutating func send(_ minute: Int64, _ ticket: String, _ change: TicketChange) throws(EngineError) {
        try machine.apply(TicketEvent(ticket: ticket, change: change), at: at(minute), records: &records)
    }

    mutating func run(to minute: Int64) {
        machine.fire(through: at(minute), records: &records)
    }

    /// The described records, and forgets them.
    mutating func take() -> [String] {
        defer { records.removeAll() }
        return records.map(describe)
    }

    func snapshot(_ ticket: String, _ minute: Int64) -> TicketSnapshot? {
        machine.engine.snapshot(of: ticket, at: at(minute))
    }
}

let goldP1 = TicketChange.open(priority: .level("P1"), service: "mail", customer: "acme", line: nil)

@Suite("Clock engine")
struct EngineTests {
    @Test("open starts response, resolution and line clocks and says when each is due")
    func openEmitsDue() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        #expect(desk.take() == ["0 INC-1 due response gold 15", "0 INC-1 due resolution gold 240", "0 INC-1 due line1 desk-ola 15"])
        let snapshot = try #require(desk.snapshot("INC-1", 5))
        #expect(snapshot.sla == "gold")
        #expect(snapshot.line == 1)
        #expect(snapshot.clocks.map(\.counted) == [300, 300, 300])
        #expect(snapshot.clocks.map(\.state) == [.running, .running, .running])
    }

    @Test("warnings, breach and management fire once each, in order, at their instants")
    func thresholds() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(1, "INC-1", .respond)
        try desk.send(2, "INC-1", .assign(line: 2))
        _ = desk.take()
        desk.run(to: 400)
        #expect(desk.take() == [
            "47 INC-1 warning line2 ops-ola 75",
            "62 INC-1 breach line2 ops-ola",
            "62 INC-1 escalate 2->3 expired",
            "62 INC-1 due line3 dev-ola 122",
            "107 INC-1 warning line3 dev-ola 75",
            "120 INC-1 warning resolution gold 50",
            "122 INC-1 breach line3 dev-ola",
            "122 INC-1 escalate 3->4 expired",
            "122 INC-1 due line4 acme-uc 182",
            "167 INC-1 warning line4 acme-uc 75",
            "180 INC-1 warning resolution gold 75",
            "182 INC-1 breach line4 acme-uc",
            "182 INC-1 inform vendor-manager line4 100",
            "216 INC-1 warning resolution gold 90",
            "216 INC-1 inform duty-manager resolution 90",
            "240 INC-1 breach resolution gold",
            "240 INC-1 inform service-owner resolution 100",
            "360 INC-1 inform it-manager resolution 150",
        ])
        desk.run(to: 10_000)
        #expect(desk.take().isEmpty, "line 4 has no next line and nothing fires twice")
    }

    @Test("threshold instants are rounded up to the whole second")
    func roundedThresholds() throws {
        let config = testConfiguration(hierarchical: [])
        var desk = Desk(config)
        // P2 line 1: 30 minutes; 75% = 22m30s exactly. Gold response P2 30m: 50% = 15m.
        try desk.send(0, "INC-1", .open(priority: .level("P2"), service: "mail", customer: "acme", line: nil))
        var machine = desk.machine
        var records: [TimelineRecord] = []
        machine.fire(through: at(23), records: &records)
        #expect(records.map(describe) == ["15 INC-1 warning response gold 50", "22m30s INC-1 warning response gold 75", "22m30s INC-1 warning line1 desk-ola 75"])
    }

    @Test("an event at a deadline's instant goes first: responding exactly at the due instant is met")
    func eventsBeforeDeadlines() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        _ = desk.take()
        desk.run(to: 14)
        #expect(desk.take() == ["7m30s INC-1 warning response gold 50", "11m15s INC-1 warning response gold 75", "11m15s INC-1 warning line1 desk-ola 75", "13m30s INC-1 warning response gold 90"])
        try desk.send(15, "INC-1", .respond)
        #expect(desk.take() == ["15 INC-1 met response gold"])
        desk.run(to: 16)
        #expect(desk.take() == ["15 INC-1 breach line1 desk-ola", "15 INC-1 escalate 1->2 expired", "15 INC-1 due line2 ops-ola 75"])
    }

    @Test("pause stops only the clocks whose agreement honours the reason; paused time never counts")
    func pauseAndResume() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(1, "INC-1", .respond)
        _ = desk.take()
        try desk.send(10, "INC-1", .pause(reason: "waiting-customer"))
        #expect(desk.take().isEmpty)
        let paused = try #require(desk.snapshot("INC-1", 50))
        #expect(paused.pauseReason == "waiting-customer")
        #expect(paused.clocks[1].state == .paused)
        #expect(paused.clocks[1].counted == 600)
        #expect(paused.clocks[1].due == nil)
        #expect(paused.clocks[2].state == .running, "desk-ola does not pause on waiting-customer")
        _ = desk.take()
        desk.run(to: 59)
        let during = desk.take()
        #expect(!during.contains { $0.contains("resolution") }, "no resolution threshold fires while paused: \(during)")
        try desk.send(60, "INC-1", .resume)
        // 10 minutes counted before the pause; 230 to go from minute 60.
        #expect(desk.take() == ["60 INC-1 due resolution gold 290"])
        desk.run(to: 290)
        #expect(desk.take().filter { $0.contains("resolution") }.first == "170 INC-1 warning resolution gold 50")
        let resumed = try #require(desk.snapshot("INC-1", 290))
        #expect(resumed.clocks[1].counted == 240 * 60)
    }

    @Test("a reason no agreement honours pauses nothing; resume without pause is refused")
    func pauseOtherReason() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(5, "INC-1", .pause(reason: "lunch"))
        #expect(desk.snapshot("INC-1", 6)?.clocks.map(\.state) == [.running, .running, .running])
        try desk.send(6, "INC-1", .resume)
        #expect(throws: EngineError.invalidTransition(ticket: "INC-1", event: "resume", reason: "it is not paused")) {
            try desk.send(7, "INC-1", .resume)
        }
    }

    @Test("changing the pause reason pauses and resumes clocks to match")
    func pauseReasonChange() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", .open(priority: .level("P1"), service: nil, customer: nil, line: 2))
        _ = desk.take()
        try desk.send(10, "INC-1", .pause(reason: "waiting-customer"))
        #expect(desk.snapshot("INC-1", 10)?.clocks.map(\.state) == [.paused, .paused, .running])
        try desk.send(20, "INC-1", .pause(reason: "waiting-vendor"))
        #expect(desk.snapshot("INC-1", 20)?.clocks.map(\.state) == [.paused, .paused, .paused])
        try desk.send(30, "INC-1", .pause(reason: "waiting-customer"))
        #expect(desk.take() == ["30 INC-1 due line2 ops-ola 70"], "ops-ola counted 20 of 60 minutes")
    }

    @Test("manual assignment: the line clock is met, the move recorded, the new line's clock starts from zero")
    func assign() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        _ = desk.take()
        try desk.send(5, "INC-1", .assign(line: 3))
        #expect(desk.take() == ["5 INC-1 met line1 desk-ola", "5 INC-1 escalate 1->3 manual", "5 INC-1 due line3 dev-ola 65"])
        #expect(throws: EngineError.invalidLine(5)) { try desk.send(6, "INC-1", .assign(line: 5)) }
        #expect(throws: EngineError.self) { try desk.send(6, "INC-1", .assign(line: 3)) }
        try desk.send(7, "INC-1", .assign(line: 1))
        #expect(desk.take() == ["7 INC-1 met line3 dev-ola", "7 INC-1 escalate 3->1 manual", "7 INC-1 due line1 desk-ola 22"])
    }

    @Test("a line clock stopped after its breach fired is not met")
    func assignAfterBreach() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", .open(priority: .level("P1"), service: nil, customer: nil, line: 4))
        desk.run(to: 70)
        _ = desk.take()
        try desk.send(70, "INC-1", .assign(line: 3))
        #expect(desk.take() == ["70 INC-1 escalate 4->3 manual", "70 INC-1 due line3 dev-ola 130"])
    }

    @Test("reprioritise keeps counted time; passed thresholds fire at once and nothing fires twice")
    func reprioritiseShorter() throws {
        var desk = Desk(testConfiguration(hierarchical: []))
        try desk.send(0, "INC-1", .open(priority: .level("P2"), service: "mail", customer: "acme", line: 2))
        try desk.send(1, "INC-1", .respond)
        _ = desk.take()
        desk.run(to: 250)
        #expect(desk.take().filter { $0.contains("resolution") } == ["240 INC-1 warning resolution gold 50"])
        // 250 of 480 minutes counted; P1 allows 240: 50% already fired, 75, 90 and the breach are passed.
        try desk.send(250, "INC-1", .reprioritize(.level("P1")))
        // By now the ticket is at line 4 (acme-uc, 10 of P1's 60 minutes counted).
        #expect(desk.take() == ["250 INC-1 due resolution gold 250", "250 INC-1 due line4 acme-uc 300"])
        desk.run(to: 250)
        #expect(desk.take() == [
            "250 INC-1 warning resolution gold 75",
            "250 INC-1 warning resolution gold 90",
            "250 INC-1 breach resolution gold",
        ])
        try desk.send(260, "INC-1", .reprioritize(.level("P2")))
        desk.run(to: 2000)
        let later = desk.take()
        #expect(!later.contains { $0.contains("resolution") }, "a breached clock stays breached: \(later)")
        #expect(desk.snapshot("INC-1", 300)?.clocks[1].state == .breached)
    }

    @Test("reprioritise to a longer target moves the due instant later, keeping counted time")
    func reprioritiseLonger() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", .open(priority: .matrix(impact: "high", urgency: "high"), service: "mail", customer: "acme", line: nil))
        _ = desk.take()
        try desk.send(10, "INC-1", .reprioritize(.matrix(impact: "high", urgency: "medium")))
        #expect(desk.take().filter { $0.hasPrefix("10 ") } == ["10 INC-1 due response gold 30", "10 INC-1 due resolution gold 480", "10 INC-1 due line1 desk-ola 30"])
        #expect(desk.snapshot("INC-1", 10)?.priority == "P2")
        try desk.send(11, "INC-1", .reprioritize(.level("P2")))
        #expect(desk.take().isEmpty, "the same priority changes nothing")
    }

    @Test("a priority's own calendar applies, and counted time carries across calendars")
    func targetCalendar() throws {
        var desk = Desk()
        // Monday 09:00; P3 under gold counts on the office calendar (Mon-Fri 09-17 UTC): 960 min = 2 office days.
        try desk.send(0, "INC-1", .open(priority: .level("P3"), service: "mail", customer: "acme", line: nil))
        #expect(desk.take().contains("0 INC-1 due resolution gold \(24 * 60 + 8 * 60)"))
        // At 17:00 Monday (8h counted), P1 (4h, 24x7) is already exceeded: due now.
        try desk.send(8 * 60, "INC-1", .reprioritize(.level("P1")))
        #expect(desk.take().contains("480 INC-1 due resolution gold 480"))
    }

    @Test("a priority without a target runs its clock without a due instant until one applies")
    func missingTarget() throws {
        var desk = Desk()
        // gold has no P4 targets.
        try desk.send(0, "INC-1", .open(priority: .level("P4"), service: "mail", customer: "acme", line: nil))
        #expect(desk.take() == ["0 INC-1 due line1 desk-ola 120"])
        let snapshot = try #require(desk.snapshot("INC-1", 30))
        #expect(snapshot.clocks[1].target == nil)
        #expect(snapshot.clocks[1].due == nil)
        try desk.send(30, "INC-1", .reprioritize(.level("P1")))
        #expect(desk.take() == ["30 INC-1 due response gold 30", "30 INC-1 due resolution gold 240", "30 INC-1 due line1 desk-ola 30"])
    }

    @Test("resolve meets the running clocks; reopen resumes resolution with counted time and restarts the line")
    func resolveReopen() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(5, "INC-1", .respond)
        _ = desk.take()
        try desk.send(10, "INC-1", .resolve)
        #expect(desk.take() == ["10 INC-1 met resolution gold", "10 INC-1 met line1 desk-ola"])
        desk.run(to: 1000)
        #expect(desk.take().isEmpty)
        #expect(throws: EngineError.self) { try desk.send(1000, "INC-1", .respond) }
        #expect(throws: EngineError.self) { try desk.send(1000, "INC-1", .resolve) }
        try desk.send(1000, "INC-1", .reopen)
        #expect(desk.take() == ["1000 INC-1 due resolution gold 1230", "1000 INC-1 due line1 desk-ola 1015"])
        #expect(throws: EngineError.self) { try desk.send(1001, "INC-1", .reopen) }
    }

    @Test("a priority changed while resolved applies when the ticket is reopened")
    func reprioritiseWhileResolved() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(5, "INC-1", .respond)
        try desk.send(10, "INC-1", .resolve)
        try desk.send(20, "INC-1", .reprioritize(.level("P2")))
        _ = desk.take()
        try desk.send(30, "INC-1", .reopen)
        // P2 allows 480 minutes; 10 were counted before the resolve.
        #expect(desk.take() == ["30 INC-1 due resolution gold 500", "30 INC-1 due line1 desk-ola 60"])
    }

    @Test("resolve without respond meets the response clock too")
    func resolveUnresponded() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        _ = desk.take()
        try desk.send(3, "INC-1", .resolve)
        #expect(desk.take() == ["3 INC-1 met response gold", "3 INC-1 met resolution gold", "3 INC-1 met line1 desk-ola"])
    }

    @Test("close forgets the ticket: its deadlines fire nothing and its id can be used again")
    func close() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(1, "INC-1", .close)
        #expect(desk.take().suffix(3) == ["1 INC-1 met response gold", "1 INC-1 met resolution gold", "1 INC-1 met line1 desk-ola"])
        #expect(desk.machine.engine.openTicketCount == 0)
        #expect(throws: EngineError.unknownTicket("INC-1")) { try desk.send(2, "INC-1", .respond) }
        try desk.send(3, "INC-2", goldP1)
        _ = desk.take()
        desk.run(to: 17)
        #expect(desk.take().allSatisfy { $0.contains("INC-2") })
        try desk.send(20, "INC-1", goldP1)
        #expect(desk.take().filter { $0.contains("INC-1") } == [
            "20 INC-1 due response gold 35", "20 INC-1 due resolution gold 260", "20 INC-1 due line1 desk-ola 35",
        ])
    }

    @Test("a ticket closed while paused leaves no pause behind for the next ticket in its place")
    func closeWhilePaused() throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        try desk.send(1, "INC-1", .pause(reason: "waiting-customer"))
        try desk.send(2, "INC-1", .close)
        try desk.send(3, "INC-2", goldP1)
        let snapshot = try #require(desk.snapshot("INC-2", 3))
        #expect(snapshot.pauseReason == nil)
        #expect(snapshot.clocks.map(\.state) == [.running, .running, .running])
        #expect(throws: EngineError.self) { try desk.send(4, "INC-2", .resume) }
    }

    @Test("hierarchical rules fire once per ticket, also across line clocks")
    func hierarchicalOncePerTicket() throws {
        let rules = [HierarchicalRule(clock: .line, percent: 75, notify: "team-lead")]
        var desk = Desk(testConfiguration(hierarchical: rules))
        try desk.send(0, "INC-1", goldP1)
        try desk.send(0, "INC-2", goldP1)
        desk.run(to: 200)
        let informs = desk.take().filter { $0.contains("inform") }
        #expect(informs == ["11m15s INC-1 inform team-lead line1 75", "11m15s INC-2 inform team-lead line1 75"])
    }

    @Test("SLA selection: the first matching SLA wins, else the default; none is an error")
    func selection() throws {
        var desk = Desk()
        try desk.send(0, "A", .open(priority: .level("P1"), service: "mail", customer: "acme", line: nil))
        try desk.send(0, "B", .open(priority: .level("P1"), service: "mail", customer: "globex", line: nil))
        #expect(desk.snapshot("A", 0)?.sla == "gold")
        #expect(desk.snapshot("B", 0)?.sla == "standard")
        var config = testConfiguration()
        config.agreements[1].match = AgreementMatch(services: ["erp"])
        var strict = Desk(config)
        #expect(throws: EngineError.noAgreement(service: "mail", customer: "globex")) {
            try strict.send(0, "B", .open(priority: .level("P1"), service: "mail", customer: "globex", line: nil))
        }
    }

    @Test("refused events change nothing", arguments: [
        TicketChange.open(priority: .level("P9"), service: nil, customer: nil, line: nil),
        .open(priority: .matrix(impact: "huge", urgency: "high"), service: nil, customer: nil, line: nil),
        .open(priority: .level("P1"), service: nil, customer: nil, line: 7),
        .assign(line: 0), .reprioritize(.level("P0")), .resume, .reopen,
    ])
    func refusals(_ change: TicketChange) throws {
        var desk = Desk()
        try desk.send(0, "INC-1", goldP1)
        _ = desk.take()
        let before = desk.snapshot("INC-1", 5)
        let queued = desk.machine.queue.count
        #expect(throws: EngineError.self) { try desk.send(5, "INC-1", change) }
        #expect(desk.take().isEmpty)
        #expect(desk.snapshot("INC-1", 5) == before)
        #expect(desk.machine.queue.count == queued)
    }

    @Test("stale deadlines of resolved tickets are dropped from the queue; live ones still fire")
    func staleDeadlinesCompacted() throws {
        var desk = Desk(testConfiguration(hierarchical: []))
        for n in 0..<3_000 {
            try desk.send(0, "T\(n)", .open(priority: .level("P1"), service: "mail", customer: "acme", line: nil))
        }
        for n in 500..<3_000 { try desk.send(1, "T\(n)", .resolve) }
        #expect(desk.machine.engine.armedTickets == 500)
        #expect(desk.machine.queue.count <= 500 + 500 / 4 + 1024, "compacted: \(desk.machine.queue.count)")
        _ = desk.take()
        desk.run(to: 15)
        let breaches = desk.take().filter { $0.hasPrefix("15 ") && $0.hasSuffix("breach response gold") }
        #expect(breaches.count == 500)
    }

    @Test("a clock stopped past its target whose breach has not fired yet is not called met")
    func lateDriver() throws {
        var engine = ClockEngine(configuration: testConfiguration())
        var out = EngineOutput()
        try engine.apply(TicketEvent(ticket: "INC-1", change: goldP1), at: at(0), into: &out)
        out.removeAll()
        // The driver breaks its contract and never fires the deadlines.
        try engine.apply(TicketEvent(ticket: "INC-1", change: .respond), at: at(20), into: &out)
        #expect(out.records.isEmpty)
    }
}
