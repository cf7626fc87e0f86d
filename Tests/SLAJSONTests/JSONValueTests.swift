import Testing

@testable import SLAJSON

@Suite("JSON values")
struct JSONValueTests {
    @Test(
        "texts decode to the values they spell",
        arguments: [
            ("null", JSONValue.null),
            (" true ", .bool(true)),
            ("false", .bool(false)),
            ("0", .int(0)),
            ("-12", .int(-12)),
            ("9223372036854775807", .int(Int64.max)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)),
            ("1.5", .double(1.5)),
            ("-2e3", .double(-2000)),
            ("1E-2", .double(0.01)),
            (#""a\"b\\c\/d\n\t\r\b\f""#, .string("a\"b\\c/d\n\t\r\u{8}\u{C}")),
            (#""\u00e9\u20ac\ud83d\ude00""#, .string("é€😀")),
            (#""é€😀""#, .string("é€😀")),
            ("[]", .array([])),
            ("[1, [2, {}], \"x\"]", .array([.int(1), .array([.int(2), .object([:])]), .string("x")])),
            (#"{"a": {"b": [null]}, "c": 1}"#, .object(["a": .object(["b": .array([.null])]), "c": .int(1)])),
        ]
    )
    func decodes(_ text: String, _ expected: JSONValue) throws {
        #expect(try JSONValue.decode(text) == expected)
        #expect(try JSONValue.decode(Array(text.utf8)) == expected)
    }

    @Test(
        "malformed texts are refused with the reason",
        arguments: [
            ("", "expected a value, found the end"),
            ("nul", "expected a value"),
            ("01", "unexpected text after the value"),
            ("1.", "expected a digit after '.'"),
            ("1e", "expected a digit in the exponent"),
            ("-", "expected a digit"),
            ("+1", "expected a value"),
            ("[1,]", "expected a value"),
            ("[1 2]", "expected ',' or ']' in an array"),
            (#"{"a" 1}"#, "expected ':' after a member name"),
            ("{a:1}", "expected a member name in quotes"),
            (#"{"a":1,}"#, "expected a member name in quotes"),
            (#"{"a":1"#, "expected ',' or '}' in an object"),
            (#""abc"#, "unterminated string"),
            ("\"a\u{1}b\"", "control character in a string"),
            (#""\x""#, "unknown escape"),
            (#""\u12g4""#, "bad hex digit in \\u escape"),
            (#""\ud83d""#, "unpaired surrogate in \\u escape"),
            (#""\ude00""#, "unpaired surrogate in \\u escape"),
            ("1 2", "unexpected text after the value"),
            ("1e999", "number out of range"),
            (#"{"event":"open","event":"respond"}"#, "duplicate member \"event\""),
            (#"[{"a":{"b":1,"b":1}}]"#, "duplicate member \"b\""),
        ]
    )
    func refuses(_ text: String, _ reason: String) {
        #expect(throws: JSONDecodingError.self) { try JSONValue.decode(text) }
        do {
            _ = try JSONValue.decode(text)
        } catch {
            #expect(error.reason == reason)
        }
    }

    @Test("a key given twice names the key and where it stands again")
    func duplicateKey() {
        do {
            _ = try JSONValue.decode(#"{"event":"open","ticket":"X","event":"respond"}"#)
            Issue.record("a duplicate key must be refused")
        } catch {
            #expect(error.duplicateKey == "event")
            #expect(error.offset == 29)
        }
        // Different keys, and the same key in sibling objects, are fine.
        #expect(throws: Never.self) { try JSONValue.decode(#"[{"a":1},{"a":2}]"#) }
    }

    @Test("bytes that are not UTF-8 are refused before parsing")
    func invalidUTF8() {
        #expect(throws: JSONDecodingError("not valid UTF-8", offset: 0)) {
            try JSONValue.decode([UInt8(ascii: "\""), 0xC3, 0x28, UInt8(ascii: "\"")])
        }
    }

    @Test("nesting deeper than the limit is refused instead of exhausting the stack")
    func nestingLimit() throws {
        let limit = JSONValue.maximumNestingDepth
        let deepest = String(repeating: "[", count: limit) + String(repeating: "]", count: limit)
        #expect(throws: Never.self) { try JSONValue.decode(deepest) }
        let tooDeep = String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)
        #expect(throws: JSONDecodingError.self) { try JSONValue.decode(tooDeep) }
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONDecodingError.self) { try JSONValue.decode(hostile) }
    }

    @Test("encoding is compact, with object keys sorted and strings escaped")
    func encodes() {
        let value: JSONValue = [
            "z": [1, 2.5, "x"], "a": nil, "m": ["k": true], "s": "q\"\\\n\u{1}é",
        ]
        #expect(value.encodedString() == #"{"a":null,"m":{"k":true},"s":"q\"\\\n\u0001é","z":[1,2.5,"x"]}"#)
        #expect(JSONValue.double(.nan).encodedString() == "null")
        #expect(JSONValue.int(Int64.min).encodedString() == "-9223372036854775808")
    }

    @Test("raw text is written verbatim, key order included")
    func raw() {
        let record = #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"breach"}"#
        let value: JSONValue = ["record": .raw(record), "n": 1]
        #expect(value.encodedString() == #"{"n":1,"record":"# + record + "}")
    }

    @Test(
        "encoded values decode to themselves",
        arguments: [
            JSONValue.object(["a": [1, -2, 3.25, 1e-5, 1e300], "b": ["c": "\u{7F}\u{0}😀"], "d": [true, false, nil]]),
            JSONValue.array([.string(""), .object([:]), .array([])]),
        ]
    )
    func roundTrips(_ value: JSONValue) throws {
        #expect(try JSONValue.decode(value.encode()) == value)
    }

    @Test("accessors read the value of their kind and nothing else")
    func accessors() {
        let value: JSONValue = ["s": "x", "i": 3, "d": 1.5, "b": true, "a": [1], "o": ["k": nil]]
        #expect(value["s"]?.string == "x")
        #expect(value["i"]?.int == 3)
        #expect(value["i"]?.double == 3)
        #expect(value["d"]?.int == nil)
        #expect(value["d"]?.double == 1.5)
        #expect(value["b"]?.bool == true)
        #expect(value["a"]?.array == [1])
        #expect(value["o"]?.object == ["k": .null])
        #expect(value["o"]?["k"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["s"]?["k"] == nil)
        #expect(value["s"]?.int == nil)
    }
}
