/// Why a text is not the JSON this package reads; `offset` is the byte where reading stopped.
public struct JSONDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in a few words ("expected a value", "not valid UTF-8").
    public var reason: String
    /// Offset of the offending byte from the start of the text.
    public var offset: Int
    /// The member name an object gave twice, when that is what was wrong.
    public var duplicateKey: String?

    /// Makes an error for `reason` at byte `offset`.
    public init(_ reason: String, offset: Int, duplicateKey: String? = nil) {
        self.reason = reason
        self.offset = offset
        self.duplicateKey = duplicateKey
    }

    public var description: String { "\(self.reason) at byte \(self.offset)" }
}

extension JSONValue {
    /// Arrays and objects nested deeper than this are refused: the parser recurses, and a client must
    /// not be able to exhaust a thread's stack with `[[[[…`.
    public static let maximumNestingDepth = 128

    /// The value as compact JSON text in UTF-8.
    public func encode() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        self.encode(into: &out)
        return out
    }

    /// The value as compact JSON text.
    public func encodedString() -> String {
        String(decoding: self.encode(), as: UTF8.self)
    }

    /// Appends the value as compact JSON text; objects in key order, `.raw` verbatim.
    public func encode(into out: inout [UInt8]) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let flag):
            out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number):
            out.append(contentsOf: String(number).utf8)
        case .double(let number):
            // JSON has no NaN or infinity; null is what JavaScript's JSON.stringify writes for them.
            if number.isFinite {
                out.append(contentsOf: number.description.utf8)
            } else {
                out.append(contentsOf: "null".utf8)
            }
        case .string(let text):
            Self.appendQuoted(text, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                element.encode(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            Self.appendObject(members, to: &out)
        case .raw(let text):
            out.append(contentsOf: text.utf8)
        }
    }

    /// Appends an object with its keys sorted, so equal values encode to equal bytes.
    public static func appendObject(_ members: [String: JSONValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, key) in members.keys.sorted().enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            Self.appendQuoted(key, to: &out)
            out.append(UInt8(ascii: ":"))
            members[key]!.encode(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends a JSON string literal, escaping what RFC 8259 requires and nothing else: the one string
    /// escaper of slad's JSON (replies, timeline records, on-call lines).
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(upTo: quotedBound(text)) { writeQuoted(text, to: $0) }
    }

    /// The most bytes ``writeQuoted(_:to:)`` writes for `text`: each byte escaped as `\u00XX`, and the quotes.
    @inline(__always)
    public static func quotedBound(_ text: String) -> Int { 6 * text.utf8.count + 2 }

    /// Writes `text` as a JSON string literal at `out`, which has room for ``quotedBound(_:)`` bytes, and
    /// returns how many it wrote: for writers that fill a buffer in place (the timeline's records).
    public static func writeQuoted(_ text: String, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            var position = 0
            out[position] = UInt8(ascii: "\"")
            position += 1
            // Plain runs are copied whole: ticket ids and names almost never need an escape.
            var runStart = 0
            for index in bytes.indices where Self.needsEscape(bytes[index]) {
                (out + position).update(from: bytes.baseAddress! + runStart, count: index - runStart)
                position += index - runStart
                position += Self.writeEscape(bytes[index], to: out + position)
                runStart = index + 1
            }
            if runStart < bytes.count {
                (out + position).update(from: bytes.baseAddress! + runStart, count: bytes.count - runStart)
                position += bytes.count - runStart
            }
            out[position] = UInt8(ascii: "\"")
            return position + 1
        }
    }

    /// The same escaping, for text built as a `String`.
    public static func appendQuoted(_ text: String, to out: inout String) {
        guard text.utf8.contains(where: Self.needsEscape) else {
            out += "\""
            out += text
            out += "\""
            return
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 8)
        Self.appendQuoted(text, to: &bytes)
        out += String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private static func writeEscape(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        out[0] = UInt8(ascii: "\\")
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out[1] = byte
        case UInt8(ascii: "\n"): out[1] = UInt8(ascii: "n")
        case UInt8(ascii: "\r"): out[1] = UInt8(ascii: "r")
        case UInt8(ascii: "\t"): out[1] = UInt8(ascii: "t")
        default:
            let hex: StaticString = "0123456789abcdef"
            out[1] = UInt8(ascii: "u")
            out[2] = UInt8(ascii: "0")
            out[3] = UInt8(ascii: "0")
            out[4] = hex.utf8Start[Int(byte >> 4)]
            out[5] = hex.utf8Start[Int(byte & 0xF)]
            return 6
        }
        return 2
    }

    /// Parses one JSON text (RFC 8259, UTF-8); whitespace may surround the value, nothing else.
    public static func decode(_ bytes: some Collection<UInt8>) throws(JSONDecodingError) -> JSONValue {
        let result: Result<JSONValue, JSONDecodingError>? = bytes.withContiguousStorageIfAvailable { storage in
            Self.decode(UnsafeRawBufferPointer(storage))
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBytes { Self.decode($0) }.get()
    }

    /// Parses one JSON text.
    public static func decode(_ text: String) throws(JSONDecodingError) -> JSONValue {
        var text = text
        return try text.withUTF8 { Self.decode(UnsafeRawBufferPointer($0)) }.get()
    }

    /// Parses one JSON text from raw bytes, the result as a value so the event loop need not throw.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> Result<JSONValue, JSONDecodingError> {
        Self.read(bytes) { parser throws(JSONDecodingError) in try parser.parseDocument() }
    }

    /// Parses one JSON text that should be an object into its members, in the order written, without
    /// the dictionary `decode` builds: for readers that visit each member once (an event line of the
    /// replay). The text is read and refused exactly as `decode` reads it (a key given twice included);
    /// a valid text that is no object gives nil.
    public static func decodeMembers(
        _ bytes: UnsafeRawBufferPointer
    ) -> Result<[(key: String, value: JSONValue)]?, JSONDecodingError> {
        Self.read(bytes) { parser throws(JSONDecodingError) in try parser.parseMemberList() }
    }

    private static func read<Value>(
        _ bytes: UnsafeRawBufferPointer, _ body: (inout JSONParser) throws(JSONDecodingError) -> Value
    ) -> Result<Value, JSONDecodingError> {
        // UTF-8 is checked where it can be wrong, in strings (the grammar allows only ASCII elsewhere);
        // when anything fails, a text that is not UTF-8 anywhere is refused as that, first.
        var parser = JSONParser(bytes: bytes)
        do {
            return .success(try body(&parser))
        } catch {
            guard Self.isValidUTF8(bytes) else { return .failure(JSONDecodingError("not valid UTF-8", offset: 0)) }
            return .failure(error)
        }
    }

    static func isValidUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}

/// A recursive-descent reader over validated UTF-8.
struct JSONParser {
    private let bytes: UnsafeRawBufferPointer
    private var position = 0
    private var depth = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONDecodingError) -> JSONValue {
        self.skipWhitespace()
        let value = try self.parseValue()
        self.skipWhitespace()
        guard self.position == self.bytes.count else {
            throw JSONDecodingError("unexpected text after the value", offset: self.position)
        }
        return value
    }

    private var current: UInt8? {
        self.position < self.bytes.count ? self.bytes[self.position] : nil
    }

    private mutating func skipWhitespace() {
        while let byte = self.current,
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\t")
        {
            self.position += 1
        }
    }

    private mutating func parseValue() throws(JSONDecodingError) -> JSONValue {
        guard let byte = self.current else {
            throw JSONDecodingError("expected a value, found the end", offset: self.position)
        }
        switch byte {
        case UInt8(ascii: "{"): return try self.parseObject()
        case UInt8(ascii: "["): return try self.parseArray()
        case UInt8(ascii: "\""): return .string(try self.parseString())
        case UInt8(ascii: "t"):
            try self.expectWord("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.expectWord("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.expectWord("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try self.parseNumber()
        default: throw JSONDecodingError("expected a value", offset: self.position)
        }
    }

    private mutating func expectWord(_ word: StaticString) throws(JSONDecodingError) {
        let start = self.position
        for expected in UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount) {
            guard self.current == expected else { throw JSONDecodingError("expected a value", offset: start) }
            self.position += 1
        }
    }

    private mutating func enterContainer() throws(JSONDecodingError) {
        self.depth += 1
        guard self.depth <= JSONValue.maximumNestingDepth else {
            throw JSONDecodingError(
                "nested deeper than \(JSONValue.maximumNestingDepth) levels",
                offset: self.position
            )
        }
        self.position += 1
        self.skipWhitespace()
    }

    private mutating func parseObject() throws(JSONDecodingError) -> JSONValue {
        // Room for an event's members at once: growing from empty rehashes three times on the way.
        var members = [String: JSONValue](minimumCapacity: 8)
        try self.parseMembers { key, value in members.updateValue(value, forKey: key) == nil }
        return .object(members)
    }

    /// A document that is one object, as its members in the order written; nil for any other value.
    mutating func parseMemberList() throws(JSONDecodingError) -> [(key: String, value: JSONValue)]? {
        self.skipWhitespace()
        guard self.current == UInt8(ascii: "{") else {
            _ = try self.parseDocument()
            return nil
        }
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(8)
        // Few members are compared with each other; many go through a set, so a hostile object with a
        // million keys costs no more to check than a dictionary would.
        var seen: Set<String>?
        try self.parseMembers { key, value in
            if members.count < 16 {
                guard !members.contains(where: { $0.key == key }) else { return false }
            } else {
                if seen == nil { seen = Set(members.map(\.key)) }
                guard seen!.insert(key).inserted else { return false }
            }
            members.append((key, value))
            return true
        }
        self.skipWhitespace()
        guard self.position == self.bytes.count else {
            throw JSONDecodingError("unexpected text after the value", offset: self.position)
        }
        return members
    }

    /// Reads an object's members up to its closing brace, handing each to `keep`, which returns false
    /// for a key given before: a repeated key is refused. Keeping one of the values (as JavaScript's
    /// JSON.parse keeps the last) let `{"event":"open","event":"respond"}` mean whichever a reader picked.
    private mutating func parseMembers(
        _ keep: (String, JSONValue) -> Bool
    ) throws(JSONDecodingError) {
        try self.enterContainer()
        if self.current == UInt8(ascii: "}") {
            self.position += 1
            self.depth -= 1
            return
        }
        while true {
            guard self.current == UInt8(ascii: "\"") else {
                throw JSONDecodingError("expected a member name in quotes", offset: self.position)
            }
            let keyStart = self.position
            let key = try self.parseString()
            self.skipWhitespace()
            guard self.current == UInt8(ascii: ":") else {
                throw JSONDecodingError("expected ':' after a member name", offset: self.position)
            }
            self.position += 1
            self.skipWhitespace()
            let value = try self.parseValue()
            guard keep(key, value) else {
                throw JSONDecodingError("duplicate member \"\(key)\"", offset: keyStart, duplicateKey: key)
            }
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","):
                self.position += 1
                self.skipWhitespace()
            case UInt8(ascii: "}"):
                self.position += 1
                self.depth -= 1
                return
            default:
                throw JSONDecodingError("expected ',' or '}' in an object", offset: self.position)
            }
        }
    }

    private mutating func parseArray() throws(JSONDecodingError) -> JSONValue {
        try self.enterContainer()
        var elements: [JSONValue] = []
        if self.current == UInt8(ascii: "]") {
            self.position += 1
            self.depth -= 1
            return .array(elements)
        }
        while true {
            elements.append(try self.parseValue())
            self.skipWhitespace()
            switch self.current {
            case UInt8(ascii: ","):
                self.position += 1
                self.skipWhitespace()
            case UInt8(ascii: "]"):
                self.position += 1
                self.depth -= 1
                return .array(elements)
            default:
                throw JSONDecodingError("expected ',' or ']' in an array", offset: self.position)
            }
        }
    }

    private mutating func parseString() throws(JSONDecodingError) -> String {
        let start = self.position
        self.position += 1
        var text: [UInt8] = []
        var escaped = false
        var ascii = true
        var runStart = self.position
        while true {
            guard let byte = self.current else {
                throw JSONDecodingError("unterminated string", offset: start)
            }
            switch byte {
            case UInt8(ascii: "\""):
                let run = UnsafeRawBufferPointer(rebasing: self.bytes[runStart..<self.position])
                self.position += 1
                if !escaped {
                    // The usual string, without escapes, straight from the input.
                    if ascii { return String(decoding: run, as: UTF8.self) }
                    guard let string = String(validating: run, as: UTF8.self) else { throw Self.notUTF8 }
                    return string
                }
                text.append(contentsOf: run)
                if ascii { return String(decoding: text, as: UTF8.self) }
                guard let string = String(validating: text, as: UTF8.self) else { throw Self.notUTF8 }
                return string
            case UInt8(ascii: "\\"):
                text.append(contentsOf: self.bytes[runStart..<self.position])
                try self.parseEscape(into: &text)
                escaped = true
                runStart = self.position
            case 0..<0x20:
                throw JSONDecodingError("control character in a string", offset: self.position)
            default:
                if byte >= 0x80 { ascii = false }
                self.position += 1
            }
        }
    }

    private static let notUTF8 = JSONDecodingError("not valid UTF-8", offset: 0)

    private mutating func parseEscape(into text: inout [UInt8]) throws(JSONDecodingError) {
        let start = self.position
        self.position += 1
        guard let byte = self.current else { throw JSONDecodingError("unterminated escape", offset: start) }
        self.position += 1
        switch byte {
        case UInt8(ascii: "\""): text.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): text.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): text.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(UInt8(ascii: "\n"))
        case UInt8(ascii: "r"): text.append(UInt8(ascii: "\r"))
        case UInt8(ascii: "t"): text.append(UInt8(ascii: "\t"))
        case UInt8(ascii: "u"):
            var scalar = try self.parseHexQuad(escapeStart: start)
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one; together they are one scalar.
                guard self.current == UInt8(ascii: "\\"), self.position + 1 < self.bytes.count,
                    self.bytes[self.position + 1] == UInt8(ascii: "u")
                else {
                    throw JSONDecodingError("unpaired surrogate in \\u escape", offset: start)
                }
                self.position += 2
                let low = try self.parseHexQuad(escapeStart: start)
                guard (0xDC00..<0xE000).contains(low) else {
                    throw JSONDecodingError("unpaired surrogate in \\u escape", offset: start)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00..<0xE000).contains(scalar) {
                throw JSONDecodingError("unpaired surrogate in \\u escape", offset: start)
            }
            text.append(contentsOf: String(Unicode.Scalar(scalar)!).utf8)
        default:
            throw JSONDecodingError("unknown escape", offset: start)
        }
    }

    private mutating func parseHexQuad(escapeStart: Int) throws(JSONDecodingError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = self.current else { throw JSONDecodingError("short \\u escape", offset: escapeStart) }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONDecodingError("bad hex digit in \\u escape", offset: self.position)
            }
            value = value << 4 | UInt32(digit)
            self.position += 1
        }
        return value
    }

    private mutating func parseNumber() throws(JSONDecodingError) -> JSONValue {
        let start = self.position
        if self.current == UInt8(ascii: "-") { self.position += 1 }
        guard let first = self.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            throw JSONDecodingError("expected a digit", offset: self.position)
        }
        if first == UInt8(ascii: "0") {
            self.position += 1
        } else {
            self.skipDigits()
        }
        var integral = true
        if self.current == UInt8(ascii: ".") {
            integral = false
            self.position += 1
            guard self.skipDigits() > 0 else {
                throw JSONDecodingError("expected a digit after '.'", offset: self.position)
            }
        }
        if self.current == UInt8(ascii: "e") || self.current == UInt8(ascii: "E") {
            integral = false
            self.position += 1
            if self.current == UInt8(ascii: "+") || self.current == UInt8(ascii: "-") { self.position += 1 }
            guard self.skipDigits() > 0 else {
                throw JSONDecodingError("expected a digit in the exponent", offset: self.position)
            }
        }
        // Up to 18 digits always fit an Int64: read them in place (ids, lines, counts, percents).
        if integral, self.position - start <= 18 {
            let negative = self.bytes[start] == UInt8(ascii: "-")
            var number: Int64 = 0
            for index in (negative ? start + 1 : start)..<self.position {
                number = number * 10 + Int64(self.bytes[index] - UInt8(ascii: "0"))
            }
            return .int(negative ? -number : number)
        }
        let literal = String(decoding: self.bytes[start..<self.position], as: UTF8.self)
        // Integers that fit stay exact; anything else is a double, as JavaScript would read it.
        if integral, let number = Int64(literal) {
            return .int(number)
        }
        guard let number = Double(literal), number.isFinite else {
            throw JSONDecodingError("number out of range", offset: start)
        }
        return .double(number)
    }

    @discardableResult
    private mutating func skipDigits() -> Int {
        let start = self.position
        while let byte = self.current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
            self.position += 1
        }
        return self.position - start
    }
}
