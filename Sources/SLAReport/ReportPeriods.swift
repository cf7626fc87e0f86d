import SLACore

/// How a report splits its time: by local day, week (from Monday) or month.
public enum ReportPeriod: String, Sendable, CaseIterable {
    case day, week, month
}

/// Local days and their midnights in one time zone: where a report's periods begin and end.
public struct ReportCalendar: Sendable {
    public let zone: ZoneRules

    public init(zone: ZoneRules) {
        self.zone = zone
    }

    /// The local day (days since 1970-01-01) an instant falls on.
    public func localDay(of instant: Instant) -> Int64 {
        let t = instant.secondsSince1970
        return CivilDate.floorDiv(t + Int64(zone.offset(utc: t)), 86_400)
    }

    /// The first instant of a local day: its midnight, or where midnight falls in a gap (the clocks
    /// jump over it), the first instant after; in a fold, the first occurrence.
    public func midnight(ofDay day: Int64) -> Instant {
        let local = day * 86_400
        let a = local - Int64(zone.offset(utc: local))
        let b = local - Int64(zone.offset(utc: a))
        let valid = [a, b].filter { $0 + Int64(zone.offset(utc: $0)) == local }
        if let first = valid.min() { return Instant(secondsSince1970: first) }
        // A gap: the first instant whose local time is past midnight; one transition lies between.
        var lo = min(a, b)
        var hi = max(a, b)
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if mid + Int64(zone.offset(utc: mid)) >= local { hi = mid } else { lo = mid + 1 }
        }
        return Instant(secondsSince1970: lo)
    }

    /// The first day of the period holding `day`.
    public func periodStart(ofDay day: Int64, by period: ReportPeriod) -> Int64 {
        switch period {
        case .day: return day
        case .week: return day - Int64(CivilDate.weekday(days: day))
        case .month:
            let date = CivilDate.date(days: day)
            return CivilDate.days(year: date.year, month: date.month, day: 1)
        }
    }

    /// The first day of the period after the one holding `day`.
    public func nextPeriodStart(afterDay day: Int64, by period: ReportPeriod) -> Int64 {
        switch period {
        case .day: return day + 1
        case .week: return periodStart(ofDay: day, by: .week) + 7
        case .month:
            let date = CivilDate.date(days: day)
            return date.month == 12
                ? CivilDate.days(year: date.year + 1, month: 1, day: 1)
                : CivilDate.days(year: date.year, month: date.month + 1, day: 1)
        }
    }

    /// The periods from day `since` up to day `until` (exclusive): their first days; the first
    /// period starts at `since` even when that is not a Monday or the first of a month.
    public func periods(since: Int64, until: Int64, by period: ReportPeriod) -> [Int64] {
        var days: [Int64] = []
        var day = since
        while day < until {
            days.append(day)
            day = nextPeriodStart(afterDay: day, by: period)
        }
        return days
    }

    /// `YYYY-MM-DD` of a day number.
    public static func text(ofDay day: Int64) -> String {
        let date = CivilDate.date(days: day)
        return LocalDate(year: Int(date.year), month: Int(date.month), day: Int(date.day)).description
    }

    /// The day number of `YYYY-MM-DD`, or nil when it is no valid date.
    public static func day(of text: String) -> Int64? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2])
        else { return nil }
        let date = LocalDate(year: year, month: month, day: dayOfMonth)
        guard date.isValid else { return nil }
        return date.dayNumber
    }
}
