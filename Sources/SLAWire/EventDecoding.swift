import Foundation
import SLACore
import SLAJSON

/// A ticket event as it arrives on the wire, with the instant it happened at when it says so.
public struct TimedEvent: Sendable, Equatable {
    /// Nil when the sender left `at` out (the daemon then uses the moment it receives the event).
    public var at: Instant?
    public var event: TicketEvent

    public init(at: Instant?, event: TicketEvent) {
        self.at = at
        self.event = event
    }
}

/// Why an event object was refused, as a sentence naming the key at fault.
public struct EventDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }

    public init(_ message: String) { self.message = message }
}

/// The event format: one JSON object per event, as in the replay input and the control interface.
///
/// ```
/// {"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"open","priority":"P2","service":"mail"}
/// ```
public enum EventFormat {
    /// Longest ticket id accepted, in bytes.
    public static let maximumTicketLength = 128

    /// Keys each event may carry besides `at`, `ticket` and `event`.
    static let extraKeys: [String: Set<String>] = [
        "open": ["priority", "impact", "urgency", "service", "customer", "line"],
        "respond": [], "assign": ["line"], "pause": ["reason"], "resume": [],
        "reprioritize": ["priority", "impact", "urgency"], "resolve": [], "reopen": [], "close": [],
    ]

    /// Decodes one JSON text (a replay line), with the control interface's JSON codec, so both refuse
    /// the same texts (a key given twice, for one).
    public static func decode(line: Data) -> Result<TimedEvent, EventDecodingError> {
        line.withUnsafeBytes { decode(line: $0) }
    }

    /// Decodes one JSON text from raw bytes: the replay reads its input this way, without a copy a line.
    public static func decode(line: UnsafeRawBufferPointer) -> Result<TimedEvent, EventDecodingError> {
        // The members as written, without a dictionary: each is visited once.
        switch JSONValue.decodeMembers(line) {
        case .success(let members?):
            return Result { () throws(EventDecodingError) in try decodeThrowing(members) }
        case .success(nil):
            return .failure(EventDecodingError("an event is a JSON object"))
        case .failure(let error):
            if let key = error.duplicateKey { return .failure(EventDecodingError("the key \"\(key)\" is given twice")) }
            return .failure(EventDecodingError("not valid JSON"))
        }
    }

    /// The one form a ticket id is kept in: Unicode NFC. Swift compares strings by canonical
    /// equivalence but the engine's index, the store and recovery by bytes, so "café" written
    /// precomposed and decomposed must become the same bytes before anything sees them.
    public static func ticketIdentity(_ id: String) -> String {
        // ASCII is NFC already; the common case skips Foundation's normalisation.
        var id = id
        return id.withUTF8 { $0.allSatisfy { $0 < 0x80 } } ? id : id.precomposedStringWithCanonicalMapping
    }

    /// Decodes an already parsed JSON object: a replay line's, or one of a `Submit` call's events.
    public static func decode(object: [String: JSONValue]) -> Result<TimedEvent, EventDecodingError> {
        Result { () throws(EventDecodingError) in try decodeThrowing(object) }
    }

    private static func decodeThrowing(
        _ o: some Sequence<(key: String, value: JSONValue)>
    ) throws(EventDecodingError) -> TimedEvent {
        // One pass over the members, each to its slot: a lookup by key would hash the key again.
        var fields = Fields()
        var unknown: String?
        for (key, value) in o where !fields.keep(key, value) {
            if unknown.map({ key < $0 }) ?? true { unknown = key }
        }
        guard let name = try string(fields.event, "event") else {
            throw EventDecodingError("\"event\" is required: one of \(extraKeys.keys.sorted().joined(separator: ", "))")
        }
        guard let allowedMask = Fields.masks.first(where: { $0.event == name })?.mask else {
            throw EventDecodingError(
                "unknown event \"\(name)\"; events are \(extraKeys.keys.sorted().joined(separator: ", "))")
        }
        let refused = fields.present & ~allowedMask
        if unknown != nil || refused != 0 {
            // The first unexpected key in sorted order is named, whatever order the object came in.
            let others = Fields.extraNames.indices.filter { refused & 1 << $0 != 0 }.map { Fields.extraNames[$0] }
            let key = (others + (unknown.map { [$0] } ?? [])).min()!
            let allowed = extraKeys[name]!
            throw EventDecodingError(
                "unexpected key \"\(key)\" in a \(name) event"
                    + (allowed.isEmpty ? "" : "; it takes \(allowed.sorted().joined(separator: ", "))"))
        }
        guard let sent = try string(fields.ticket, "ticket") else { throw EventDecodingError("\"ticket\" is required") }
        let ticket = ticketIdentity(sent)
        guard !ticket.isEmpty, ticket.utf8.count <= maximumTicketLength, firstControlCharacter(ticket) == nil else {
            throw EventDecodingError(
                "\"ticket\" must be 1 to \(maximumTicketLength) bytes of printable text")
        }
        var at: Instant?
        if let text = try string(fields.at, "at") {
            guard let instant = Timestamp.parse(text) else {
                throw EventDecodingError(
                    "\"at\" is not an RFC 3339 timestamp like 2026-03-02T09:00:00+01:00: \"\(text)\"")
            }
            at = instant
        }
        let change: TicketChange
        switch name {
        case "open":
            change = .open(
                priority: try priority(fields, name), service: try string(fields.service, "service"),
                customer: try string(fields.customer, "customer"), line: try integer(fields.line, "line"))
        case "respond": change = .respond
        case "assign":
            guard let line = try integer(fields.line, "line") else {
                throw EventDecodingError("an assign event needs \"line\"")
            }
            change = .assign(line: line)
        case "pause":
            guard let reason = try string(fields.reason, "reason"), !reason.isEmpty else {
                throw EventDecodingError("a pause event needs \"reason\", e.g. \"waiting-customer\"")
            }
            change = .pause(reason: reason)
        case "resume": change = .resume
        case "reprioritize": change = .reprioritize(try priority(fields, name))
        case "resolve": change = .resolve
        case "reopen": change = .reopen
        default: change = .close
        }
        return TimedEvent(at: at, event: TicketEvent(ticket: ticket, change: change))
    }

    /// The members of an event object the format knows, by name.
    private struct Fields {
        var event, at, ticket, priority, impact, urgency, service, customer, line, reason: JSONValue?
        /// Which of ``extraNames`` the object has, bit `i` for `extraNames[i]`.
        var present: UInt8 = 0

        /// The keys of ``EventFormat/extraKeys``, in the order of their bits in ``present``.
        static let extraNames = ["priority", "impact", "urgency", "service", "customer", "line", "reason"]
        /// Each event's ``extraKeys`` as bits, searched in order: nine short names compare faster than
        /// one is hashed.
        static let masks: [(event: String, mask: UInt8)] = extraKeys.map { event, keys in
            (event, keys.reduce(0) { mask, key in mask | 1 << extraNames.firstIndex(of: key)! })
        }

        /// Keeps the value of a key the format knows; false for any other key.
        mutating func keep(_ key: String, _ value: JSONValue) -> Bool {
            switch key {
            case "event": event = value
            case "at": at = value
            case "ticket": ticket = value
            case "priority": priority = value; present |= 1 << 0
            case "impact": impact = value; present |= 1 << 1
            case "urgency": urgency = value; present |= 1 << 2
            case "service": service = value; present |= 1 << 3
            case "customer": customer = value; present |= 1 << 4
            case "line": line = value; present |= 1 << 5
            case "reason": reason = value; present |= 1 << 6
            default: return false
            }
            return true
        }
    }

    private static func priority(_ fields: Fields, _ event: String) throws(EventDecodingError) -> PriorityChoice {
        let level = try string(fields.priority, "priority")
        let impact = try string(fields.impact, "impact")
        let urgency = try string(fields.urgency, "urgency")
        switch (level, impact, urgency) {
        case (let level?, nil, nil): return .level(level)
        case (nil, let impact?, let urgency?): return .matrix(impact: impact, urgency: urgency)
        default:
            throw EventDecodingError(
                "a \(event) event needs either \"priority\" or both \"impact\" and \"urgency\"")
        }
    }

    /// A text field; `null` is the same as leaving the key out. Control characters (U+0000-U+001F,
    /// U+007F-U+009F) are refused in every one (ticket, service, customer, reason, priority, impact,
    /// urgency, at): a NUL cut "ac\u0000me" to "ac" on its way to the store, and escapes in a name reach
    /// operators' terminals.
    private static func string(_ value: JSONValue?, _ key: String) throws(EventDecodingError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?:
            if let control = firstControlCharacter(text) {
                let hex = String(control.value, radix: 16, uppercase: true)
                let code = String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                throw EventDecodingError(
                    "\"\(key)\" holds the control character U+\(code); ids and names are printable text")
            }
            return text
        default: throw EventDecodingError("\"\(key)\" must be a string")
        }
    }

    /// The first scalar of Unicode's general category Cc (U+0000-U+001F, U+007F-U+009F): what
    /// `Unicode.Scalar.Properties.generalCategory == .control` finds, read from the UTF-8 bytes
    /// (the property lookup cost more than the rest of decoding an event).
    static func firstControlCharacter(_ text: String) -> Unicode.Scalar? {
        var text = text
        return text.withUTF8 { bytes in
            guard mayHoldControlCharacter(bytes) else { return nil }
            var previous: UInt8 = 0
            for byte in bytes {
                // U+0080-U+009F are the two bytes C2 80 to C2 9F.
                if byte < 0x20 || byte == 0x7F { return Unicode.Scalar(byte) }
                if previous == 0xC2, (0x80...0x9F).contains(byte) { return Unicode.Scalar(byte) }
                previous = byte
            }
            return nil
        }
    }

    /// False when no byte is below 0x20, 0x7F or 0xC2 (the lead byte of U+0080-U+00BF), eight bytes at
    /// a time: text without these holds no control character, and most text is such.
    private static func mayHoldControlCharacter(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        // A byte of `word` is zero exactly when the classic `(x - ones) & ~x & highs` test marks it.
        func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
        func hasByteBelow0x20(_ word: UInt64) -> Bool { (word &- ones &* 0x20) & ~word & highs != 0 }
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            if hasByteBelow0x20(word) || hasZeroByte(word ^ (ones &* 0x7F)) || hasZeroByte(word ^ (ones &* 0xC2)) {
                return true
            }
            index += 8
        }
        while index < bytes.count {
            if bytes[index] < 0x20 || bytes[index] == 0x7F || bytes[index] == 0xC2 { return true }
            index += 1
        }
        return false
    }

    /// A whole number: an integer, or a number with a fraction of zero (`2.0`, `2e0`), as the decoder
    /// before this one took them; `true` is no number. Integers are exact to Int64's range.
    private static func integer(_ value: JSONValue?, _ key: String) throws(EventDecodingError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .int(let number)?:
            if let int = Int(exactly: number) { return int }
        case .double(let number)?:
            if let int = Int(exactly: number) { return int }
        default: break
        }
        throw EventDecodingError("\"\(key)\" must be a whole number")
    }
}
