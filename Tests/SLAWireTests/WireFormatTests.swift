import Foundation
import SLACore
import Testing

@testable import SLAWire

@Suite("Event format")
struct EventFormatTests {
    func decode(_ json: String) -> Result<TimedEvent, EventDecodingError> {
        EventFormat.decode(line: Data(json.utf8))
    }

    @Test("every event of the replay format decodes", arguments: [
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"open","priority":"P2","service":"mail","customer":"acme"}"#,
         TicketChange.open(priority: .level("P2"), service: "mail", customer: "acme", line: nil)),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"open","impact":"high","urgency":"low","line":2}"#,
         .open(priority: .matrix(impact: "high", urgency: "low"), service: nil, customer: nil, line: 2)),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"respond"}"#, .respond),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"assign","line":2}"#, .assign(line: 2)),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"pause","reason":"waiting-customer"}"#,
         .pause(reason: "waiting-customer")),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"resume"}"#, .resume),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"reprioritize","priority":"P1"}"#,
         .reprioritize(.level("P1"))),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"resolve"}"#, .resolve),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"reopen"}"#, .reopen),
        (#"{"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"close"}"#, .close),
    ])
    func decodes(_ json: String, _ change: TicketChange) throws {
        let event = try decode(json).get()
        #expect(event.event == TicketEvent(ticket: "INC-1", change: change))
        #expect(event.at == Instant(secondsSince1970: 1_772_438_400))
    }

    @Test("at is optional on the wire (the daemon stamps it)")
    func optionalAt() throws {
        #expect(try decode(#"{"ticket":"INC-1","event":"respond"}"#).get().at == nil)
    }

    @Test("bad events are refused with a sentence naming the fault", arguments: [
        ("not json", "not valid JSON"),
        ("[1,2]", "an event is a JSON object"),
        (#"{"ticket":"INC-1"}"#, "\"event\" is required"),
        (#"{"ticket":"INC-1","event":"explode"}"#, "unknown event \"explode\""),
        (#"{"event":"respond"}"#, "\"ticket\" is required"),
        (#"{"ticket":"","event":"respond"}"#, "1 to 128 bytes"),
        (#"{"ticket":"A\u0001","event":"respond"}"#, "printable"),
        (#"{"ticket":7,"event":"respond"}"#, "\"ticket\" must be a string"),
        (#"{"ticket":"INC-1","event":"respond","at":"yesterday"}"#, "not an RFC 3339 timestamp"),
        (#"{"ticket":"INC-1","event":"respond","reason":"x"}"#, "unexpected key \"reason\" in a respond event"),
        (#"{"ticket":"INC-1","event":"open","priorty":"P1"}"#, "unexpected key \"priorty\""),
        (#"{"ticket":"INC-1","event":"open"}"#, "either \"priority\" or both \"impact\" and \"urgency\""),
        (#"{"ticket":"INC-1","event":"open","priority":"P1","impact":"high"}"#, "either \"priority\""),
        (#"{"ticket":"INC-1","event":"assign"}"#, "needs \"line\""),
        (#"{"ticket":"INC-1","event":"assign","line":"2"}"#, "\"line\" must be a whole number"),
        (#"{"ticket":"INC-1","event":"assign","line":2.5}"#, "\"line\" must be a whole number"),
        (#"{"ticket":"INC-1","event":"assign","line":true}"#, "\"line\" must be a whole number"),
        (#"{"ticket":"INC-1","event":"pause"}"#, "needs \"reason\""),
    ])
    func refuses(_ json: String, _ fragment: String) {
        guard case .failure(let error) = decode(json) else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(error.message.contains(fragment), "\(error.message)")
    }
}

@Suite("Timestamps")
struct TimestampTests {
    @Test("RFC 3339 with offsets, Z and fractions", arguments: [
        ("2026-03-02T09:00:00+01:00", Int64(1_772_438_400)),
        ("2026-03-02T08:00:00Z", 1_772_438_400),
        ("2026-03-02t08:00:00z", 1_772_438_400),
        ("2026-03-02T03:30:00-04:30", 1_772_438_400),
        ("2026-03-02T07:59:59.001Z", 1_772_438_400),  // a fraction rounds up
        ("2026-03-02T08:00:00.000Z", 1_772_438_400),
        ("1969-12-31T23:59:59Z", -1),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
    ])
    func parses(_ text: String, _ seconds: Int64) {
        #expect(Timestamp.parse(text) == Instant(secondsSince1970: seconds))
    }

    @Test("impossible or partial timestamps are refused", arguments: [
        "", "2026-03-02", "2026-03-02T09:00:00", "2026-02-30T09:00:00Z", "2025-02-29T00:00:00Z",
        "2026-03-02T24:00:00Z", "2026-03-02T09:60:00Z", "2026-03-02T09:00:00+1:00", "2026-03-02T09:00:00Z ",
        "2026-03-02T09:00:00.Z", "２０２６-03-02T09:00:00Z",
    ])
    func refuses(_ text: String) {
        #expect(Timestamp.parse(text) == nil)
    }

    @Test("formatting round-trips through parsing over four centuries")
    func roundTrip() {
        var seconds: Int64 = -11_644_473_600  // 1601-01-01
        while seconds < 13_569_465_600 {
            let instant = Instant(secondsSince1970: seconds)
            #expect(Timestamp.parse(Timestamp.format(instant)) == instant)
            seconds += 7_777_777
        }
        #expect(Timestamp.format(Instant(secondsSince1970: 1_772_438_400)) == "2026-03-02T08:00:00Z")
    }
}

@Suite("Record format")
struct RecordFormatTests {
    static let t = Instant(secondsSince1970: 1_772_438_400)

    @Test("each kind encodes in the documented shape", arguments: [
        (TimelineRecord.Kind.due(.response, agreement: "gold", due: t + 900),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"due","clock":"response","agreement":"gold","due":"2026-03-02T08:15:00Z"}"#),
        (.warning(.resolution, agreement: "gold", percent: 75),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"warning","clock":"resolution","agreement":"gold","percent":75}"#),
        (.breach(.line(1), agreement: "desk-ola"),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"breach","clock":"line","line":1,"agreement":"desk-ola"}"#),
        (.met(.response, agreement: "gold"),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"met","clock":"response","agreement":"gold"}"#),
        (.functionalEscalation(from: 1, to: 2, reason: .expired),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"escalate","type":"functional","from":1,"to":2,"reason":"expired"}"#),
        (.functionalEscalation(from: 2, to: 3, reason: .manual),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"escalate","type":"functional","from":2,"to":3,"reason":"manual"}"#),
        (.hierarchicalEscalation(to: "duty-manager", clock: .resolution, percent: 90),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"escalate","type":"hierarchical","to":"duty-manager","clock":"resolution","percent":90}"#),
        (.hierarchicalEscalation(to: "vendor-manager", clock: .line(4), percent: 100),
         #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"escalate","type":"hierarchical","to":"vendor-manager","clock":"line","line":4,"percent":100}"#),
    ])
    func encodes(_ kind: TimelineRecord.Kind, _ json: String) throws {
        let encoded = RecordFormat.encode(TimelineRecord(at: Self.t, ticket: "INC-1", kind: kind))
        #expect(encoded == json)
        // And it is JSON any parser reads.
        #expect(try JSONSerialization.jsonObject(with: Data(encoded.utf8)) is [String: Any])
    }

    @Test("ticket ids with quotes, backslashes and control characters stay valid JSON")
    func escaping() throws {
        let id = "A\"B\\C\nD\u{1}É"
        let encoded = RecordFormat.encode(TimelineRecord(at: Self.t, ticket: id, kind: .met(.response, agreement: "g")))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(encoded.utf8)) as? [String: Any])
        #expect(object["ticket"] as? String == id)
    }
}
