/// Durations as configuration and people write them: `45s`, `15m`, `4h`, `1h30m`.
public enum ServiceDuration {
    /// Why a duration text was refused.
    public enum ParseError: Error, Equatable, Sendable {
        case empty
        case days
        case weeks
        case malformed
        case notPositive
        /// Over ``ServiceDuration/maximum``.
        case tooLong
    }

    /// The longest target accepted: ten years of counted time (87,600 hours).
    public static let maximum: Int64 = 87_600 * 3600

    /// Parses hours, minutes and seconds, in that order, each at most once.
    ///
    /// Days and weeks are refused: a "day" of office hours is ambiguous (8 hours? 24?).
    public static func parse(_ text: String) -> Result<Int64, ParseError> {
        let chars = Array(text.utf8)
        guard !chars.isEmpty else { return .failure(.empty) }
        var total: Int64 = 0
        var number: Int64?
        var lastUnitRank = -1
        for c in chars {
            switch c {
            case 0x30...0x39:
                let next = (number ?? 0) * 10 + Int64(c - 0x30)
                guard next < 1_000_000_000 else { return .failure(.malformed) }
                number = next
            case 0x64, 0x44: return .failure(.days)
            case 0x77, 0x57: return .failure(.weeks)
            case 0x68, 0x6D, 0x73:
                let rank = c == 0x68 ? 0 : (c == 0x6D ? 1 : 2)
                guard let value = number, rank > lastUnitRank else { return .failure(.malformed) }
                total += value * [3600, 60, 1][rank]
                lastUnitRank = rank
                number = nil
            default: return .failure(.malformed)
            }
        }
        guard number == nil, lastUnitRank >= 0 else { return .failure(.malformed) }
        guard total > 0 else { return .failure(.notPositive) }
        guard total <= maximum else { return .failure(.tooLong) }
        return .success(total)
    }

    /// The shortest text in the configuration's syntax for a number of seconds: `1h30m`, `45s`, `0s`.
    public static func format(_ seconds: Int64) -> String {
        guard seconds > 0 else { return seconds == 0 ? "0s" : "-" + format(-seconds) }
        let h = seconds / 3600
        let m = seconds / 60 % 60
        let s = seconds % 60
        var out = ""
        if h > 0 { out += "\(h)h" }
        if m > 0 { out += "\(m)m" }
        if s > 0 { out += "\(s)s" }
        return out
    }

    /// Service seconds for people: `0s`, `45s`, `5m07s`, `1h05m`, `26h00m`; negative (overdue) with a
    /// leading minus. From one hour on, seconds are dropped (truncated toward zero). Never days: a "day"
    /// of office hours is ambiguous.
    public static func forPeople(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : ""
        let s = seconds.magnitude
        if s < 60 { return "\(sign)\(s)s" }
        if s < 3600 { return "\(sign)\(s / 60)m\(two(s % 60))s" }
        return "\(sign)\(s / 3600)h\(two(s / 60 % 60))m"
    }

    /// A wall-clock span for people (an uptime, a pause): as ``forPeople(_:)`` below a day, `2d03h04m`
    /// from one day on.
    public static func span(_ seconds: Int) -> String {
        let s = seconds.magnitude
        guard s >= 86_400 else { return forPeople(seconds) }
        return "\(seconds < 0 ? "-" : "")\(s / 86_400)d\(two(s / 3600 % 24))h\(two(s / 60 % 60))m"
    }

    private static func two(_ value: UInt) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
