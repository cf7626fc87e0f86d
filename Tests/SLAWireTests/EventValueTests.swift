import Foundation
import SLACore
import Testing

@testable import SLAWire

/// What the event decoder reads from JSON values itself, now that no Foundation value stands between.
@Suite("Events from JSON values: numbers, keys given twice, ids")
struct EventValueTests {
    static func decode(_ json: String) -> Result<TimedEvent, EventDecodingError> {
        EventFormat.decode(line: Data(json.utf8))
    }

    static func assign(_ line: String) -> Result<TimedEvent, EventDecodingError> {
        decode(#"{"ticket":"INC-1","event":"assign","line":"# + line + "}")
    }

    static func assigned(_ line: Int) -> Result<TimedEvent, EventDecodingError> {
        .success(TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .assign(line: line))))
    }

    @Test("a whole number written with a zero fraction or an exponent is that number", arguments: [
        "2", "2.0", "2e0", "20e-1", "0.2E+1",
    ])
    func wholeNumbers(_ text: String) {
        #expect(Self.assign(text) == Self.assigned(2))
    }

    @Test("booleans, fractions, strings, containers and numbers beyond Int64 are no whole number", arguments: [
        "true", "false", "2.5", #""2""#, "[2]", "{}", "9223372036854775808", "-1e19", "1e19",
    ])
    func notWholeNumbers(_ text: String) {
        #expect(Self.assign(text) == .failure(EventDecodingError("\"line\" must be a whole number")))
    }

    @Test("integers are exact over Int64's range, not rounded through a double", arguments: [
        Int64(9_007_199_254_740_993), 999_999_999_999_999_999, 1_000_000_000_000_000_001, .max, .min, -3, 0,
    ])
    func exactIntegers(_ number: Int64) {
        #expect(Self.assign(String(number)) == Self.assigned(Int(number)))
    }

    @Test("null is the same as leaving the key out")
    func nullIsAbsent() throws {
        #expect(Self.assign("null") == .failure(EventDecodingError("an assign event needs \"line\"")))
        let json = #"{"ticket":"INC-1","event":"open","priority":"P1","service":null,"line":null}"#
        let open = try Self.decode(json).get()
        #expect(open.event.change == .open(priority: .level("P1"), service: nil, customer: nil, line: nil))
        #expect(try Self.decode(#"{"ticket":"INC-1","event":"respond","at":null}"#).get().at == nil)
    }

    @Test("a key given twice is refused, even with the same value, and wherever it stands", arguments: [
        (#"{"ticket":"INC-1","ticket":"INC-1","event":"respond"}"#, "ticket"),
        (#"{"ticket":"INC-1","event":"assign","line":2,"line":2}"#, "line"),
        (#"{"at":"2026-03-02T09:00:00Z","ticket":"INC-1","event":"respond","at":"2026-03-02T09:00:00Z"}"#, "at"),
    ])
    func duplicateKeys(_ json: String, _ key: String) {
        #expect(Self.decode(json) == .failure(EventDecodingError("the key \"\(key)\" is given twice")))
    }

    @Test("the first unexpected key in sorted order is named, whatever order the keys came in")
    func unexpectedKeyNamed() {
        let expected = EventDecodingError("unexpected key \"alpha\" in a respond event")
        #expect(Self.decode(#"{"zulu":1,"ticket":"INC-1","alpha":2,"event":"respond","mike":3}"#) == .failure(expected))
        #expect(Self.decode(#"{"mike":3,"alpha":2,"event":"respond","zulu":1,"ticket":"INC-1"}"#) == .failure(expected))
    }

    @Test("ids written with escapes are NFC like ids written as they are", arguments: [
        #""caf\u00e9""#, #""cafe\u0301""#, "\"caf\u{E9}\"", "\"cafe\u{301}\"", #""caf\u0065\u0301""#,
    ])
    func escapedIdsAreNFC(_ ticket: String) throws {
        let event = try Self.decode(#"{"ticket":"# + ticket + #","event":"respond"}"#).get()
        #expect(Array(event.event.ticket.utf8) == [0x63, 0x61, 0x66, 0xC3, 0xA9])
    }

    @Test("control characters are refused however they are written; other non-ASCII text is kept", arguments: [
        (#""A\u0085B""#, "U+0085"), ("\"A\u{85}B\"", "U+0085"), (#""A\u009fB""#, "U+009F"), (#""A\u007FB""#, "U+007F"),
        (#""A\u001fB""#, "U+001F"), (#""\u0000""#, "U+0000"),
    ])
    func controlCharacters(_ service: String, _ code: String) {
        let json = #"{"ticket":"INC-1","event":"open","priority":"P1","service":"# + service + "}"
        let sentence = "\"service\" holds the control character \(code); ids and names are printable text"
        #expect(Self.decode(json) == .failure(EventDecodingError(sentence)))
    }

    @Test("text next to the control characters is not refused", arguments: [
        "A\u{A0}B", "A\u{2028}B", "\u{C2}\u{A0}", "\u{100}\u{180}", "\u{1F600}", "\u{E000}",
    ])
    func printableNonASCII(_ service: String) throws {
        let json = #"{"ticket":"INC-1","event":"open","priority":"P1","service":"# + "\"\(service)\"}"
        let event = try Self.decode(json).get()
        #expect(event.event.change == .open(priority: .level("P1"), service: service, customer: nil, line: nil))
    }

    @Test("the byte scan for control characters agrees with Unicode's general category Cc")
    func controlScanAgreesWithUnicode() {
        for value in UInt32(0)..<0x3000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let control = scalar.properties.generalCategory == .control
            // Short text is scanned a byte at a time, longer text eight bytes at a time first: every
            // offset of the word and its tail.
            for padding in [0, 1, 6, 7, 8, 13, 16] {
                let text = String(repeating: "a", count: padding) + "\(scalar)bcdefgh"
                let found = EventFormat.firstControlCharacter(text)
                #expect((found == scalar) == control, "U+\(value) after \(padding)")
                #expect(found == nil || found == scalar, "U+\(value) after \(padding)")
            }
        }
    }

    @Test("a line that is not UTF-8 is not valid JSON, inside a string or out")
    func invalidUTF8() {
        let prefix = Array(#"{"ticket":"INC"#.utf8)
        for bad: [UInt8] in [[0xC3, 0x28], [0xFF], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
            let line = prefix + bad + Array(#"","event":"respond"}"#.utf8)
            #expect(EventFormat.decode(line: Data(line)) == .failure(EventDecodingError("not valid JSON")), "\(bad)")
        }
    }
}
