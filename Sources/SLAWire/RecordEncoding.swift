import SLACore
import SLAJSON

/// The timeline record format: one JSON object per record, keys in a fixed order, instants in UTC.
///
/// ```
/// {"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"breach","clock":"line","line":1,"agreement":"desk-ola"}
/// ```
/// Hand-written rather than `JSONEncoder` or a `JSONValue` object: the order of keys is part of what
/// scripts diff, and the replay writes millions of these. Strings go through the one JSON escaper.
public enum RecordFormat {
    /// One record as a JSON object, without a trailing newline.
    ///
    /// - Parameter late: the record fired after its instant (the daemon was down or busy then); the
    ///   object then ends with `"late":true`, so a reader can tell a catch-up from a timely firing.
    ///   The replay never fires late, and omits the key rather than writing `false` into every line.
    public static func encode(_ record: TimelineRecord, late: Bool = false) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(160)
        encode(record, late: late, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one record as a JSON object, without a trailing newline, to `out`: the replay writes
    /// its output this way, with no string made per record.
    public static func encode(_ record: TimelineRecord, late: Bool = false, into out: inout [UInt8]) {
        out.append(contentsOf: #"{"at":""#.utf8)
        Timestamp.append(secondsSince1970: record.at.secondsSince1970, to: &out)
        out.append(contentsOf: #"","ticket":"#.utf8)
        JSONValue.appendQuoted(record.ticket, to: &out)
        switch record.kind {
        case .due(let clock, let agreement, let due):
            out.append(contentsOf: #","kind":"due""#.utf8)
            appendClock(clock, agreement: agreement, to: &out)
            out.append(contentsOf: #","due":""#.utf8)
            Timestamp.append(secondsSince1970: due.secondsSince1970, to: &out)
            out.append(UInt8(ascii: "\""))
        case .warning(let clock, let agreement, let percent):
            out.append(contentsOf: #","kind":"warning""#.utf8)
            appendClock(clock, agreement: agreement, to: &out)
            appendNumber("percent", percent, to: &out)
        case .breach(let clock, let agreement):
            out.append(contentsOf: #","kind":"breach""#.utf8)
            appendClock(clock, agreement: agreement, to: &out)
        case .met(let clock, let agreement):
            out.append(contentsOf: #","kind":"met""#.utf8)
            appendClock(clock, agreement: agreement, to: &out)
        case .functionalEscalation(let from, let to, let reason):
            out.append(contentsOf: #","kind":"escalate","type":"functional""#.utf8)
            appendNumber("from", from, to: &out)
            appendNumber("to", to, to: &out)
            out.append(contentsOf: #","reason":""#.utf8)
            out.append(contentsOf: reason.rawValue.utf8)
            out.append(UInt8(ascii: "\""))
        case .hierarchicalEscalation(let to, let clock, let percent):
            out.append(contentsOf: #","kind":"escalate","type":"hierarchical","to":"#.utf8)
            JSONValue.appendQuoted(to, to: &out)
            appendClock(clock, agreement: nil, to: &out)
            appendNumber("percent", percent, to: &out)
        }
        if late { out.append(contentsOf: #","late":true"#.utf8) }
        out.append(UInt8(ascii: "}"))
    }

    private static func appendClock(_ clock: ClockID, agreement: String?, to out: inout [UInt8]) {
        out.append(contentsOf: #","clock":""#.utf8)
        out.append(contentsOf: clock.kind.rawValue.utf8)
        out.append(UInt8(ascii: "\""))
        if let line = clock.line { appendNumber("line", line, to: &out) }
        if let agreement {
            out.append(contentsOf: #","agreement":"#.utf8)
            JSONValue.appendQuoted(agreement, to: &out)
        }
    }

    /// `,"key":number`; the keys are the format's own and need no escaping.
    private static func appendNumber(_ key: StaticString, _ value: Int, to out: inout [UInt8]) {
        out.append(contentsOf: #",""#.utf8)
        out.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        out.append(contentsOf: #"":"#.utf8)
        out.append(contentsOf: String(value).utf8)
    }
}
