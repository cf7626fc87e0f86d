import Foundation
import SLAConfig
import SLACore
import Testing

@testable import SLAWire

/// A desk on one UTC 24x7 calendar, so expected instants are plain sums.
let replayYAML = """
    calendars:
      always: {timezone: UTC}
    priorities:
      levels: [P1, P2]
    agreements:
      - name: gold
        kind: sla
        calendar: always
        targets: {P1: {response: 15m, resolution: 4h}, P2: {response: 1h, resolution: 8h}}
        warn: [50%]
        pause_on: [waiting-customer]
      - {name: desk, kind: ola, calendar: always, targets: {P1: {resolution: 10m}, P2: {resolution: 1h}}}
      - {name: ops, kind: ola, calendar: always, targets: {P1: {resolution: 1h}, P2: {resolution: 2h}}}
      - {name: dev, kind: ola, calendar: always, targets: {P1: {resolution: 1h}, P2: {resolution: 2h}}}
      - {name: vendor, kind: uc, calendar: always, targets: {P1: {resolution: 1h}, P2: {resolution: 2h}}}
    lines:
      - {id: 1, name: Service Desk, agreement: desk}
      - {id: 2, name: Incident Management, agreement: ops}
      - {id: 3, name: Development, agreement: dev}
      - {id: 4, name: Vendor, agreement: vendor}
    escalation:
      hierarchical:
        - {clock: resolution, at: 90%, notify: duty-manager}
    """

func replayConfiguration() throws -> Configuration {
    try ConfigLoader.parse(yaml: replayYAML, file: "replay.yaml").get()
}

/// Runs a replay and returns the JSON lines and the problems.
func replay(_ lines: [String], until: String? = nil) throws -> (output: [String], problems: [Replay.Problem]) {
    var output: [String] = []
    let outcome = Replay(configuration: try replayConfiguration()).run(
        input: Data(lines.joined(separator: "\n").utf8), until: until.flatMap(Timestamp.parse)
    ) { output.append(RecordFormat.encode($0)) }
    return (output, outcome.problems)
}

@Suite("Offline replay")
struct ReplayTests {
    let scenario = [
        #"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"open","priority":"P1"}"#,
        #"{"at":"2026-03-02T08:05:00Z","ticket":"INC-1","event":"respond"}"#,
        #"{"at":"2026-03-02T08:20:00Z","ticket":"INC-1","event":"assign","line":3}"#,
        #"{"at":"2026-03-02T08:30:00Z","ticket":"INC-1","event":"pause","reason":"waiting-customer"}"#,
        #"{"at":"2026-03-02T09:30:00Z","ticket":"INC-1","event":"resume"}"#,
        #"{"at":"2026-03-02T11:00:00Z","ticket":"INC-1","event":"resolve"}"#,
        #"{"at":"2026-03-02T11:00:00Z","ticket":"INC-1","event":"close"}"#,
    ]

    @Test("a ticket's whole life, record by record")
    func wholeLife() throws {
        let (output, problems) = try replay(scenario)
        #expect(problems.isEmpty)
        #expect(output == [
            #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"due","clock":"response","agreement":"gold","due":"2026-03-02T08:15:00Z"}"#,
            #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"due","clock":"resolution","agreement":"gold","due":"2026-03-02T12:00:00Z"}"#,
            #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"due","clock":"line","line":1,"agreement":"desk","due":"2026-03-02T08:10:00Z"}"#,
            #"{"at":"2026-03-02T08:05:00Z","ticket":"INC-1","kind":"met","clock":"response","agreement":"gold"}"#,
            #"{"at":"2026-03-02T08:10:00Z","ticket":"INC-1","kind":"breach","clock":"line","line":1,"agreement":"desk"}"#,
            #"{"at":"2026-03-02T08:10:00Z","ticket":"INC-1","kind":"escalate","type":"functional","from":1,"to":2,"reason":"expired"}"#,
            #"{"at":"2026-03-02T08:10:00Z","ticket":"INC-1","kind":"due","clock":"line","line":2,"agreement":"ops","due":"2026-03-02T09:10:00Z"}"#,
            #"{"at":"2026-03-02T08:20:00Z","ticket":"INC-1","kind":"met","clock":"line","line":2,"agreement":"ops"}"#,
            #"{"at":"2026-03-02T08:20:00Z","ticket":"INC-1","kind":"escalate","type":"functional","from":2,"to":3,"reason":"manual"}"#,
            #"{"at":"2026-03-02T08:20:00Z","ticket":"INC-1","kind":"due","clock":"line","line":3,"agreement":"dev","due":"2026-03-02T09:20:00Z"}"#,
            // The line clock (dev has no pause_on) runs on through the pause and expires.
            #"{"at":"2026-03-02T09:20:00Z","ticket":"INC-1","kind":"breach","clock":"line","line":3,"agreement":"dev"}"#,
            #"{"at":"2026-03-02T09:20:00Z","ticket":"INC-1","kind":"escalate","type":"functional","from":3,"to":4,"reason":"expired"}"#,
            #"{"at":"2026-03-02T09:20:00Z","ticket":"INC-1","kind":"due","clock":"line","line":4,"agreement":"vendor","due":"2026-03-02T10:20:00Z"}"#,
            // 30 of 240 minutes counted before the pause: due 210 minutes after the resume.
            #"{"at":"2026-03-02T09:30:00Z","ticket":"INC-1","kind":"due","clock":"resolution","agreement":"gold","due":"2026-03-02T13:00:00Z"}"#,
            #"{"at":"2026-03-02T10:20:00Z","ticket":"INC-1","kind":"breach","clock":"line","line":4,"agreement":"vendor"}"#,
            // The 50% warning falls due at 11:00 too, but the event at that instant goes first.
            #"{"at":"2026-03-02T11:00:00Z","ticket":"INC-1","kind":"met","clock":"resolution","agreement":"gold"}"#,
        ])
    }

    @Test("input in any order is applied in at order, equal instants in input order")
    func order() throws {
        let (sorted, _) = try replay(scenario)
        let (shuffled, problems) = try replay(scenario.reversed())
        // Reversed, resolve and close at 11:00 swap: close first meets the clocks, resolve is refused.
        #expect(problems.map(\.line) == [2])
        #expect(shuffled == sorted)
        let (rotated, rotatedProblems) = try replay(Array(scenario[3...] + scenario[..<3]))
        #expect(rotatedProblems.isEmpty)
        #expect(rotated == sorted)
    }

    @Test("a malformed or refused line is reported with its number and skipped; the rest runs")
    func badLines() throws {
        let (output, problems) = try replay([
            scenario[0],
            "{not json",
            #"{"ticket":"INC-9","event":"respond","at":"2026-03-02T08:01:00Z"}"#,
            "",
            #"{"ticket":"INC-1","event":"respond"}"#,
            scenario[1],
        ])
        #expect(problems == [
            Replay.Problem(line: 2, message: "not valid JSON"),
            Replay.Problem(line: 3, message: "ticket INC-9 is not open"),
            Replay.Problem(line: 5, message: "\"at\" is required in a replay"),
        ])
        #expect(output.contains(#"{"at":"2026-03-02T08:05:00Z","ticket":"INC-1","kind":"met","clock":"response","agreement":"gold"}"#))
    }

    @Test("the simulation runs to --until, or to the last event")
    func until() throws {
        let open = [scenario[0]]
        #expect(try replay(open).output.count == 3)
        let (output, _) = try replay(open, until: "2026-03-02T08:10:00Z")
        #expect(output.last == #"{"at":"2026-03-02T08:10:00Z","ticket":"INC-1","kind":"due","clock":"line","line":2,"agreement":"ops","due":"2026-03-02T09:10:00Z"}"#)
        // Events after --until are beyond the simulation: the respond at 08:05 does not happen.
        let (cut, _) = try replay(scenario, until: "2026-03-02T08:04:00Z")
        #expect(!cut.contains { $0.contains(#""kind":"met""#) })
        #expect(cut.last?.contains("08:00:00Z") == true)
        let (all, _) = try replay(open, until: "2026-03-03T00:00:00Z")
        #expect(all.contains(#"{"at":"2026-03-02T11:36:00Z","ticket":"INC-1","kind":"escalate","type":"hierarchical","to":"duty-manager","clock":"resolution","percent":90}"#))
        #expect(all.filter { $0.contains(#""kind":"breach""#) }.count == 6, "response, lines 1-4 and resolution")
    }
}
