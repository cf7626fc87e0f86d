import SLACore

/// The timeline record format: one JSON object per record, keys in a fixed order, instants in UTC.
///
/// ```
/// {"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"breach","clock":"line","line":1,"agreement":"desk-ola"}
/// ```
/// Hand-written rather than `JSONEncoder`: the order of keys is part of what scripts diff, and the
/// replay writes millions of these.
public enum RecordFormat {
    /// One record as a JSON object, without a trailing newline.
    ///
    /// - Parameter late: the record fired after its instant (the daemon was down or busy then); the
    ///   object then ends with `"late":true`, so a reader can tell a catch-up from a timely firing.
    ///   The replay never fires late, and omits the key rather than writing `false` into every line.
    public static func encode(_ record: TimelineRecord, late: Bool = false) -> String {
        var out = "{\"at\":\""
        out.reserveCapacity(128)
        out += Timestamp.format(record.at)
        out += "\",\"ticket\":"
        appendQuoted(record.ticket, to: &out)
        switch record.kind {
        case .due(let clock, let agreement, let due):
            out += ",\"kind\":\"due\""
            appendClock(clock, agreement: agreement, to: &out)
            out += ",\"due\":\""
            out += Timestamp.format(due)
            out += "\""
        case .warning(let clock, let agreement, let percent):
            out += ",\"kind\":\"warning\""
            appendClock(clock, agreement: agreement, to: &out)
            out += ",\"percent\":\(percent)"
        case .breach(let clock, let agreement):
            out += ",\"kind\":\"breach\""
            appendClock(clock, agreement: agreement, to: &out)
        case .met(let clock, let agreement):
            out += ",\"kind\":\"met\""
            appendClock(clock, agreement: agreement, to: &out)
        case .functionalEscalation(let from, let to, let reason):
            out += ",\"kind\":\"escalate\",\"type\":\"functional\",\"from\":\(from),\"to\":\(to),\"reason\":\""
            out += reason.rawValue
            out += "\""
        case .hierarchicalEscalation(let to, let clock, let percent):
            out += ",\"kind\":\"escalate\",\"type\":\"hierarchical\",\"to\":"
            appendQuoted(to, to: &out)
            appendClock(clock, agreement: nil, to: &out)
            out += ",\"percent\":\(percent)"
        }
        if late { out += ",\"late\":true" }
        out += "}"
        return out
    }

    private static func appendClock(_ clock: ClockID, agreement: String?, to out: inout String) {
        out += ",\"clock\":\""
        out += clock.kind.rawValue
        out += "\""
        if let line = clock.line { out += ",\"line\":\(line)" }
        if let agreement {
            out += ",\"agreement\":"
            appendQuoted(agreement, to: &out)
        }
    }

    /// Appends a JSON string literal, escaping what RFC 8259 requires.
    public static func appendQuoted(_ text: String, to out: inout String) {
        out += "\""
        var plain = true
        for byte in text.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            plain = false
            break
        }
        if plain {
            out += text
        } else {
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
