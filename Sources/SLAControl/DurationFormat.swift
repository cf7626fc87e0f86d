/// Durations as slactl shows and reads them.
///
/// Service time is shown in hours and minutes, never days: a "day" of office hours is ambiguous, as
/// the configuration's README says. Wall-clock spans (uptime, a pause) may use days.
public enum DurationFormat {
    /// Service seconds for people: `0s`, `45s`, `5m07s`, `1h05m`, `26h00m`; negative (overdue) with a
    /// leading minus. From one hour on, seconds are dropped (truncated toward zero).
    public static func service(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : ""
        let s = seconds.magnitude
        if s < 60 { return "\(sign)\(s)s" }
        if s < 3600 { return "\(sign)\(s / 60)m\(two(s % 60))s" }
        return "\(sign)\(s / 3600)h\(two(s / 60 % 60))m"
    }

    /// A wall-clock span for people: as ``service(_:)`` below a day, `2d03h04m` from one day on.
    public static func span(_ seconds: Int) -> String {
        let s = seconds.magnitude
        guard s >= 86_400 else { return service(seconds) }
        return "\(seconds < 0 ? "-" : "")\(s / 86_400)d\(two(s / 3600 % 24))h\(two(s / 60 % 60))m"
    }

    /// Parses the configuration's duration syntax: hours, minutes and seconds in that order, each at
    /// most once, at least one (`45s`, `15m`, `4h`, `1h30m`, `2h0m30s`). Days are refused.
    /// - Returns: the seconds, or nil when the text is not such a duration.
    public static func parse(_ text: String) -> Int? {
        var total = 0
        var digits = ""
        var lastUnit = -1
        let units: [Character: (order: Int, seconds: Int)] = ["h": (0, 3600), "m": (1, 60), "s": (2, 1)]
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            guard let unit = units[character], !digits.isEmpty, unit.order > lastUnit,
                let value = Int(digits), value <= Int(Int32.max)
            else { return nil }
            total += value * unit.seconds
            lastUnit = unit.order
            digits = ""
        }
        guard digits.isEmpty, lastUnit >= 0 else { return nil }
        return total
    }

    private static func two(_ value: UInt) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
