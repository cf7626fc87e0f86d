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
        encode(record, late: late, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends one record as a JSON object, without a trailing newline, to `out`: the replay writes
    /// its output this way, with no string made per record.
    public static func encode(_ record: TimelineRecord, late: Bool = false, into out: inout [UInt8]) {
        // Room for the longest record is made once and the record written in place: appending piece by
        // piece cost more than everything else the encoding does.
        out.append(upTo: Self.bound(record)) { base in
            var writer = Writer(base: base)
            writer.write(record, late: late)
            return writer.position
        }
    }

    /// The most bytes `record` can take: the fixed text, two instants, three numbers and its names escaped.
    private static func bound(_ record: TimelineRecord) -> Int {
        var names = JSONValue.quotedBound(record.ticket)
        switch record.kind {
        case .due(_, let agreement, _), .warning(_, let agreement, _), .breach(_, let agreement),
            .met(_, let agreement):
            names += JSONValue.quotedBound(agreement)
        case .functionalEscalation(_, _, let reason): names += reason.rawValue.utf8.count
        case .hierarchicalEscalation(let to, _, _): names += JSONValue.quotedBound(to)
        }
        return 192 + 2 * Timestamp.maximumLength + 3 * 20 + names
    }

    /// Writes a record at a place with room for it.
    private struct Writer {
        let base: UnsafeMutablePointer<UInt8>
        var position = 0

        mutating func write(_ record: TimelineRecord, late: Bool) {
            put(#"{"at":""#)
            position += Timestamp.write(secondsSince1970: record.at.secondsSince1970, to: base + position)
            put(#"","ticket":"#)
            position += JSONValue.writeQuoted(record.ticket, to: base + position)
            switch record.kind {
            case .due(let clock, let agreement, let due):
                put(#","kind":"due""#)
                clockAndAgreement(clock, agreement)
                put(#","due":""#)
                position += Timestamp.write(secondsSince1970: due.secondsSince1970, to: base + position)
                put("\"")
            case .warning(let clock, let agreement, let percent):
                put(#","kind":"warning""#)
                clockAndAgreement(clock, agreement)
                number(#","percent":"#, percent)
            case .breach(let clock, let agreement):
                put(#","kind":"breach""#)
                clockAndAgreement(clock, agreement)
            case .met(let clock, let agreement):
                put(#","kind":"met""#)
                clockAndAgreement(clock, agreement)
            case .functionalEscalation(let from, let to, let reason):
                put(#","kind":"escalate","type":"functional""#)
                number(#","from":"#, from)
                number(#","to":"#, to)
                put(#","reason":""#)
                put(text: reason.rawValue)
                put("\"")
            case .hierarchicalEscalation(let to, let clock, let percent):
                put(#","kind":"escalate","type":"hierarchical","to":"#)
                position += JSONValue.writeQuoted(to, to: base + position)
                clockAndAgreement(clock, nil)
                number(#","percent":"#, percent)
            }
            if late { put(#","late":true"#) }
            put("}")
        }

        private mutating func clockAndAgreement(_ clock: ClockID, _ agreement: String?) {
            put(#","clock":""#)
            put(text: clock.kind.rawValue)
            put("\"")
            if let line = clock.line { number(#","line":"#, line) }
            if let agreement {
                put(#","agreement":"#)
                position += JSONValue.writeQuoted(agreement, to: base + position)
            }
        }

        /// The format's own text, which needs no escaping.
        private mutating func put(_ text: StaticString) {
            (base + position).update(from: text.utf8Start, count: text.utf8CodeUnitCount)
            position += text.utf8CodeUnitCount
        }

        /// Text that needs no escaping (the raw values of the format's enumerations).
        private mutating func put(text: String) {
            var text = text
            text.withUTF8 { bytes in
                guard let source = bytes.baseAddress else { return }
                (base + position).update(from: source, count: bytes.count)
                position += bytes.count
            }
        }

        /// `key` (with its comma, quotes and colon) and a decimal integer: at most 20 bytes for the number.
        private mutating func number(_ key: StaticString, _ value: Int) {
            put(key)
            var magnitude = value.magnitude
            if value < 0 {
                base[position] = UInt8(ascii: "-")
                position += 1
            }
            var digits = 1
            var scale: UInt = 1
            while magnitude / scale >= 10 {
                scale *= 10
                digits += 1
            }
            for _ in 0..<digits {
                base[position] = UInt8(ascii: "0") + UInt8(magnitude / scale)
                magnitude %= scale
                scale /= 10
                position += 1
            }
        }
    }
}
