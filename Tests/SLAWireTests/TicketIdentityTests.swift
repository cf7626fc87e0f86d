import Foundation
import SLACore
import SLATestKit
import Testing

@testable import SLAWire

/// Ticket ids are kept in NFC; control characters are refused in every text field; keys once.
@Suite("Ticket identity and bad text in events")
struct TicketIdentityTests {
    static let nfc = "caf\u{E9}"
    static let nfd = "cafe\u{301}"

    static func object(_ ticket: String, _ event: String, _ extra: [String: Any] = [:]) -> [String: Any] {
        ["ticket": ticket, "event": event].merging(extra) { $1 }
    }

    @Test("an id is decoded to NFC, whichever form it was sent in; ASCII is left alone")
    func normalisesToNFC() throws {
        for sent in [Self.nfc, Self.nfd] {
            let event = try EventFormat.decode(object: Self.object(sent, "respond")).get()
            #expect(Array(event.event.ticket.utf8) == Array(Self.nfc.utf8))
        }
        #expect(EventFormat.ticketIdentity("INC-1") == "INC-1")
    }

    /// Random strings of letters and combining marks, and a canonically equivalent spelling of each.
    static func equivalentPair(_ rng: inout SplitMix) -> (String, String) {
        let bases: [Unicode.Scalar] = [
            "a", "e", "o", "u", "n", "A", "\u{C5}", "\u{E9}", "\u{1E69}", "\u{AC00}", "-", "1",
        ]
        let marks: [Unicode.Scalar] = ["\u{301}", "\u{300}", "\u{308}", "\u{323}", "\u{316}", "\u{327}"]
        var text = String.UnicodeScalarView()
        for _ in 0..<(1 + rng.next(6)) {
            text.append(bases[rng.next(bases.count)])
            for _ in 0..<rng.next(3) { text.append(marks[rng.next(marks.count)]) }
        }
        let string = String(text)
        let forms = [
            string, string.precomposedStringWithCanonicalMapping, string.decomposedStringWithCanonicalMapping,
        ]
        return (forms[rng.next(3)], forms[rng.next(3)])
    }

    @Test("property: a batch with canonically equivalent ids acts on one ticket, never crashes")
    func equivalentIdsInOneBatch() throws {
        var rng = SplitMix(seed: 0x51AD)
        for _ in 0..<300 {
            let (a, b) = Self.equivalentPair(&rng)
            #expect(a == b, "Swift calls them equal")
            var machine = SLAMachine(configuration: try replayConfiguration())
            var records: [TimelineRecord] = []
            let open = try EventFormat.decode(object: Self.object(a, "open", ["priority": "P1"])).get().event
            let respond = try EventFormat.decode(object: Self.object(b, "respond")).get().event
            #expect(Array(open.ticket.utf8) == Array(respond.ticket.utf8), "one form after decoding")
            try machine.apply(batch: [open, respond], at: Instant(secondsSince1970: 1_772_438_400), records: &records)
            #expect(machine.engine.openTicketCount == 1)
            #expect(machine.engine.snapshot(of: respond.ticket, at: Instant(secondsSince1970: 1_772_438_460)) != nil)
            // A second open in the other form is the same ticket: refused whole, nothing applied.
            let again = try EventFormat.decode(object: Self.object(b, "open", ["priority": "P1"])).get().event
            #expect(throws: BatchRefusal.self) {
                try machine.apply(batch: [again], at: Instant(secondsSince1970: 1_772_438_460), records: &records)
            }
        }
    }

    @Test("property: the engine given unnormalised ids keeps them apart by bytes, in the check as when applying")
    func engineIsByteExact() throws {
        var rng = SplitMix(seed: 0xB17E)
        for _ in 0..<300 {
            let (a, b) = Self.equivalentPair(&rng)
            var machine = SLAMachine(configuration: try replayConfiguration())
            var records: [TimelineRecord] = []
            let batch = [
                TicketEvent(ticket: a, change: .open(priority: .level("P1"), service: nil, customer: nil, line: nil)),
                TicketEvent(ticket: b, change: .respond),
            ]
            // Before the fix: the check joined the two, the engine did not, and slad stopped on a precondition.
            do {
                try machine.apply(batch: batch, at: Instant(secondsSince1970: 1_772_438_400), records: &records)
                #expect(Array(a.utf8) == Array(b.utf8))
            } catch {
                #expect(Array(a.utf8) != Array(b.utf8))
                #expect(error.index == 1)
                #expect(machine.engine.openTicketCount == 0, "refused whole")
            }
        }
    }

    @Test(
        "control characters are refused in every text field, naming the field",
        arguments: ["ticket", "service", "customer", "reason", "priority", "impact"])
    func controlCharacters(_ field: String) {
        let event = field == "reason" ? "pause" : "open"
        var object: [String: Any] = ["ticket": "INC-1", "event": event]
        if event == "open" { object["priority"] = "P1" }
        if field == "impact" {
            object["priority"] = nil
            object["urgency"] = "low"
        }
        for control in ["\u{0}", "\u{1B}", "\u{7F}", "\r", "\u{9B}"] {
            object[field] = "ac\(control)me"
            guard case .failure(let error) = EventFormat.decode(object: object) else {
                Issue.record("\(field) with U+\(control.unicodeScalars.first!.value) must be refused")
                continue
            }
            #expect(error.message.hasPrefix("\"\(field)\" holds the control character U+"), "\(error.message)")
        }
    }

    @Test("a replay line with a key given twice is refused, naming the key")
    func duplicateKeyInALine() {
        let line = Data(#"{"ticket":"INC-1","event":"open","priority":"P1","event":"respond"}"#.utf8)
        #expect(EventFormat.decode(line: line) == .failure(EventDecodingError("the key \"event\" is given twice")))
    }
}
