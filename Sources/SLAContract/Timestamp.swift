import SLAJSON

/// Proleptic Gregorian date arithmetic (Howard Hinnant's civil-from-days algorithms).
///
/// Foundation's `Calendar` costs microseconds a call; the clocks need this on every due computation.
public enum CivilDate {
    @inlinable
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    @inlinable
    public static func date(days z0: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Monday = 0 ... Sunday = 6 for a day number (1970-01-01 was a Thursday).
    @inlinable
    public static func weekday(days: Int64) -> Int {
        let w = (days + 3) % 7
        return Int(w < 0 ? w + 7 : w)
    }

    /// Floor division, so instants before 1970 land on the right day.
    @inlinable
    public static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

/// RFC 3339 timestamps, the one text form of instants in the configuration, the replay formats and the
/// Varlink interface; without Foundation's formatters. SLACore adds the same operations on `Instant`.
public enum Timestamp {
    /// How a fraction of a second is taken.
    public enum Rounding: Sendable {
        /// Up to the next whole second: an event at 09:00:00.4 is applied at 09:00:01, so slad never
        /// calls a target met that was missed by a fraction.
        case up
        /// Down: what a display shows (`09:00:00.4` reads as 09:00:00).
        case down
    }

    /// `YYYY-MM-DDTHH:MM:SSZ` for a count of seconds since 1970-01-01T00:00:00Z.
    public static func format(secondsSince1970 s: Int64) -> String {
        let days = CivilDate.floorDiv(s, 86_400)
        let secs = s - days * 86_400
        let (y, m, d) = CivilDate.date(days: days)
        if (0...9999).contains(y) {
            // The usual case, written straight into the string's storage: the timeline encodes one or
            // two instants per record, on the store's writer thread.
            return String(unsafeUninitializedCapacity: 20) { buffer in
                write(year: y, month: m, day: d, seconds: secs, into: buffer)
                return 20
            }
        }
        var out = ""
        out.reserveCapacity(20)
        out += pad(Int(y), 4)
        out += "-"
        out += pad(Int(m), 2)
        out += "-"
        out += pad(Int(d), 2)
        out += "T"
        out += pad(Int(secs / 3600), 2)
        out += ":"
        out += pad(Int(secs / 60 % 60), 2)
        out += ":"
        out += pad(Int(secs % 60), 2)
        out += "Z"
        return out
    }

    /// Appends ``format(secondsSince1970:)``'s text as UTF-8 to a byte buffer.
    public static func append(secondsSince1970 s: Int64, to out: inout [UInt8]) {
        out.append(upTo: maximumLength) { write(secondsSince1970: s, to: $0) }
    }

    /// The most bytes ``write(secondsSince1970:to:)`` writes (years beyond 9999 take more than 20).
    public static let maximumLength = 40

    /// Writes ``format(secondsSince1970:)``'s text at `out`, which has room for ``maximumLength``
    /// bytes, and returns how many it wrote: for writers that fill a buffer in place (the timeline's records).
    public static func write(secondsSince1970 s: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let days = CivilDate.floorDiv(s, 86_400)
        let secs = s - days * 86_400
        let (y, m, d) = CivilDate.date(days: days)
        guard (0...9999).contains(y) else {
            var text = format(secondsSince1970: s)
            return text.withUTF8 { bytes in
                out.update(from: bytes.baseAddress!, count: min(bytes.count, maximumLength))
                return min(bytes.count, maximumLength)
            }
        }
        write(year: y, month: m, day: d, seconds: secs, into: UnsafeMutableBufferPointer(start: out, count: 20))
        return 20
    }

    /// Writes the 20 bytes of a timestamp in years 0 to 9999 to the start of `buffer`.
    @inline(__always)
    private static func write(
        year: Int64, month: Int64, day: Int64, seconds secs: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>
    ) {
        // Two digits at a time, each position named: a loop over widths cost more than the date itself.
        func two(_ value: Int64, at offset: Int) {
            buffer[offset] = UInt8(truncatingIfNeeded: 0x30 + value / 10)
            buffer[offset + 1] = UInt8(truncatingIfNeeded: 0x30 + value % 10)
        }
        two(year / 100, at: 0)
        two(year % 100, at: 2)
        buffer[4] = UInt8(ascii: "-")
        two(month, at: 5)
        buffer[7] = UInt8(ascii: "-")
        two(day, at: 8)
        buffer[10] = UInt8(ascii: "T")
        two(secs / 3600, at: 11)
        buffer[13] = UInt8(ascii: ":")
        two(secs / 60 % 60, at: 14)
        buffer[16] = UInt8(ascii: ":")
        two(secs % 60, at: 17)
        buffer[19] = UInt8(ascii: "Z")
    }

    /// `value` in decimal, zero-padded to `width` digits.
    public static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into seconds since 1970.
    /// - Returns: nil when the text is not such a timestamp or names an impossible date or time.
    public static func seconds(_ text: String, rounding: Rounding = .up) -> Int64? {
        var text = text
        return text.withUTF8 { seconds(utf8: $0, rounding: rounding) }
    }

    /// Parses the timestamp's UTF-8 bytes; see ``seconds(_:rounding:)``.
    public static func seconds(utf8 b: UnsafeBufferPointer<UInt8>, rounding: Rounding = .up) -> Int64? {
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= b.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 0x30, c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ chars: UInt8...) -> Bool {
            guard i < b.count, chars.contains(b[i]) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect(0x2D), let month = digits(2), expect(0x2D), let day = digits(2),
            expect(0x54, 0x74, 0x20), let hour = digits(2), expect(0x3A), let minute = digits(2), expect(0x3A),
            let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60
        else { return nil }
        var roundUp: Int64 = 0
        if i < b.count, b[i] == 0x2E {
            i += 1
            let start = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                if b[i] != 0x30, rounding == .up { roundUp = 1 }
                i += 1
            }
            guard i > start else { return nil }
        }
        var offset: Int64 = 0
        guard i < b.count else { return nil }
        if b[i] == 0x5A || b[i] == 0x7A {
            i += 1
        } else if b[i] == 0x2B || b[i] == 0x2D {
            let sign: Int64 = b[i] == 0x2D ? -1 : 1
            i += 1
            guard let oh = digits(2), expect(0x3A), let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        return days * 86_400 + hour * 3600 + minute * 60 + second - offset + roundUp
    }
}

