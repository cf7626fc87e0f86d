import Testing

@testable import SLAJSON

/// The reader's short cuts (UTF-8 checked in strings only, integers read in place, the one escaper's
/// plain runs) against the plain reading of the same text.
@Suite("JSON reading and writing: the short cuts")
struct JSONReadingTests {
    static let notUTF8 = JSONDecodingError("not valid UTF-8", offset: 0)

    @Test("text that is not UTF-8 is refused as that wherever it stands, even after another fault", arguments: [
        [0x22, 0xC3, 0x28, 0x22],  // in a string
        [0x22, 0x5C, 0x6E, 0xC3, 0x22],  // in a string with an escape
        [0x22, 0xE2, 0x82, 0x5C, 0x6E, 0x22],  // cut short by an escape
        [0x5B, 0x31, 0x2C, 0xFF, 0x5D],  // between values
        [0x7B, 0x7D, 0x20, 0xC3],  // after the value
        [0x5B, 0x2C, 0x22, 0xC3, 0x22, 0x5D],  // after a syntax error
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // an encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // beyond U+10FFFF
    ] as [[UInt8]])
    func notUTF8(_ bytes: [UInt8]) {
        #expect(throws: Self.notUTF8) { try JSONValue.decode(bytes) }
    }

    @Test("UTF-8 text in strings is kept, with escapes and without", arguments: [
        ("\"é€😀\"", "é€😀"), ("\"a\\né\"", "a\né"), ("\"\\u00e9é\"", "éé"), ("\"😀\\t\"", "😀\t"),
    ])
    func utf8Strings(_ text: String, _ expected: String) throws {
        #expect(try JSONValue.decode(text) == .string(expected))
    }

    @Test("integers read in place and through the slow path agree at the boundary", arguments: [
        "0", "-0", "7", "-7", "999999999999999999", "-999999999999999999", "100000000000000000",
        "1000000000000000000", "-1000000000000000000", "9223372036854775807", "-9223372036854775808",
    ])
    func integers(_ text: String) throws {
        #expect(try JSONValue.decode(text) == .int(Int64(text)!))
        #expect(try JSONValue.decode("[\(text)]") == .array([.int(Int64(text)!)]))
    }

    @Test("the escaper writes the same text to bytes and to a string, escaping only what RFC 8259 requires")
    func oneEscaper() throws {
        let samples = [
            "", "plain", "q\"b\\s/", "\n\r\t\u{8}\u{C}\u{0}\u{1F}", "\u{7F}\u{85}é😀", "end\"", "\"start",
            "a\u{1}b\u{2}c",
        ]
        for text in samples {
            var bytes: [UInt8] = []
            JSONValue.appendQuoted(text, to: &bytes)
            var string = "x"
            JSONValue.appendQuoted(text, to: &string)
            #expect("x" + String(decoding: bytes, as: UTF8.self) == string)
            #expect(try JSONValue.decode(bytes) == .string(text))
        }
        var bytes: [UInt8] = []
        JSONValue.appendQuoted("a\"\u{1}\u{7F}/", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #""a\"\u0001"# + "\u{7F}/\"")
    }
}
