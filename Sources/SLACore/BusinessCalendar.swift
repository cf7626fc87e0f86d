import SLAContract

/// A span of service hours inside one local day, in seconds since local midnight: `[start, end)`.
public struct ServiceWindow: Sendable, Equatable, Comparable {
    /// 0 ..< 86_400.
    public var start: Int32
    /// start < end <= 86_400 (24:00 ends the day).
    public var end: Int32

    public init(start: Int32, end: Int32) {
        self.start = start
        self.end = end
    }

    public static func < (lhs: ServiceWindow, rhs: ServiceWindow) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }
}

/// Service hours: a weekly pattern in a time zone, with whole local days off for holidays.
///
/// Agreement targets count only time inside these hours: an instant counts when its local wall-clock
/// time falls in a window of a day that is no holiday. All arithmetic is exact to the second across
/// daylight-saving changes: the skipped hour has no instants to count, the repeated hour counts twice.
public struct BusinessCalendar: Sendable {
    public let name: String
    /// The zone's rules, from the system's tzdata (SLAConfig reads them).
    public let zone: ZoneRules
    /// Seven lists of windows, Monday first; nil for service around the clock.
    public let weeklyHours: [[ServiceWindow]]?
    public let holidays: [LocalDate]

    /// Windows of all weekdays flattened, `weekStart[w] ..< weekStart[w + 1]` for weekday w.
    private let windowStart: [Int32]
    private let windowEnd: [Int32]
    private let weekStart: [Int]
    /// Sorted local day numbers that are holidays.
    private let holidayDays: [Int64]
    /// True when no holiday and no hour restriction apply, so counted time is elapsed time.
    private let isAroundTheClock: Bool
    /// Service seconds in a week without holidays or zone transitions.
    private let weekSeconds: Int64

    /// - Parameters:
    ///   - weeklyHours: seven lists of windows, Monday first, or nil for 24x7. Windows are sorted
    ///     and touching windows merged; the loader has already refused overlapping ones.
    ///   - holidays: whole local days without service.
    public init(name: String, zone: ZoneRules, weeklyHours: [[ServiceWindow]]?, holidays: [LocalDate] = []) {
        self.name = name
        self.zone = zone
        self.holidays = holidays
        let week = weeklyHours ?? Array(repeating: [ServiceWindow(start: 0, end: 86_400)], count: 7)
        precondition(week.count == 7, "a week has seven days")
        var starts: [Int32] = []
        var ends: [Int32] = []
        var weekStart: [Int] = [0]
        var normalised: [[ServiceWindow]] = []
        for day in week {
            var merged: [ServiceWindow] = []
            for window in day.sorted() where window.end > window.start {
                if let last = merged.last, window.start <= last.end {
                    merged[merged.count - 1].end = max(last.end, window.end)
                } else {
                    merged.append(window)
                }
            }
            normalised.append(merged)
            for window in merged {
                starts.append(window.start)
                ends.append(window.end)
            }
            weekStart.append(starts.count)
        }
        self.weeklyHours = weeklyHours == nil ? nil : normalised
        self.windowStart = starts
        self.windowEnd = ends
        self.weekStart = weekStart
        self.holidayDays = Array(Set(holidays.map(\.dayNumber))).sorted()
        self.isAroundTheClock = weeklyHours == nil && holidays.isEmpty
        self.weekSeconds = zip(starts, ends).reduce(0) { $0 + Int64($1.1 - $1.0) }
    }

    /// A calendar counting every second, in UTC.
    public static func aroundTheClock(name: String = "24x7") -> BusinessCalendar {
        BusinessCalendar(name: name, zone: .utc, weeklyHours: nil)
    }

    /// Whether any service hour exists in a week; a calendar without one would never reach a target.
    public var hasServiceHours: Bool { !windowStart.isEmpty }

    /// The earliest instant at which the service time counted from `start` reaches `seconds`.
    ///
    /// A target reached exactly at closing time is due at closing time; `seconds <= 0` is due at `start`.
    public func due(from start: Instant, counting seconds: Int64) -> Instant {
        guard seconds > 0 else { return start }
        if isAroundTheClock { return start + seconds }
        guard hasServiceHours else { return .distantFuture }
        let s = start.secondsSince1970
        var remaining = seconds
        var answer = Instant.distantFuture
        walk(from: s, through: nil) { _, week in
            guard remaining > week else { return false }
            remaining -= week
            return true
        } _: { from, to in
            guard to > s else { return false }
            let lo = max(from, s)
            if remaining <= to - lo {
                answer = Instant(secondsSince1970: lo + remaining)
                return true
            }
            remaining -= to - lo
            return false
        }
        return answer
    }

    /// The due instants of two amounts counted from the same start, `first <= second`, in one walk:
    /// a clock's next warning and its breach.
    ///
    /// Kept apart from ``due(from:counting:)``: serving one amount through this walk measured 2-4%
    /// slower engine throughput (paired runs of slad-bench).
    public func due(from start: Instant, counting first: Int64, then second: Int64) -> (Instant, Instant) {
        precondition(first <= second, "the amounts come in order")
        guard first > 0, !isAroundTheClock, hasServiceHours else {
            let a = due(from: start, counting: first)
            return (a, due(from: a, counting: second - first))
        }
        let s = start.secondsSince1970
        var remaining = first
        var firstDue = Instant.distantFuture
        var secondDue = Instant.distantFuture
        var reachedFirst = false
        walk(from: s, through: nil) { _, week in
            guard remaining > week else { return false }
            remaining -= week
            return true
        } _: { from, to in
            guard to > s else { return false }
            var lo = max(from, s)
            while remaining <= to - lo {
                lo += remaining
                if reachedFirst {
                    secondDue = Instant(secondsSince1970: lo)
                    return true
                }
                firstDue = Instant(secondsSince1970: lo)
                reachedFirst = true
                remaining = second - first
            }
            remaining -= to - lo
            return false
        }
        return (firstDue, secondDue)
    }

    /// Service seconds inside `[from, to)`; zero when `to <= from`.
    public func counted(from: Instant, to: Instant) -> Int64 {
        guard to > from else { return 0 }
        if isAroundTheClock { return to - from }
        let a = from.secondsSince1970
        let b = to.secondsSince1970
        var total: Int64 = 0
        let endDays = zone.localDays(around: b, index: zone.index(for: b))
        walk(from: a, through: endDays.upperBound) { day, week in
            // Only weeks wholly after a's days and before b's count in full.
            guard day + 7 < endDays.lowerBound else { return false }
            total += week
            return true
        } _: { lo, hi in
            let overlap = min(hi, b) - max(lo, a)
            if overlap > 0 { total += overlap }
            return false
        }
        return total
    }

    /// Calls `body` with the UTC service intervals of every local day from the one `start` shows
    /// through `lastDay` (at most a century: a calendar that cannot reach a target in that long
    /// never will), in order, until `body` returns true.
    ///
    /// Before a day that starts a week with no holiday and no zone transition, `wholeWeek` is
    /// offered that week's service seconds; when it takes them (returns true) the walk jumps seven
    /// days. Long targets then cost a step a week instead of a step a day.
    @inline(__always)
    private func walk(
        from start: Int64,
        through lastDay: Int64?,
        wholeWeek: (_ day: Int64, _ seconds: Int64) -> Bool,
        _ body: (Int64, Int64) -> Bool
    ) {
        var cursor = zone.index(for: start)
        let startDays = zone.localDays(around: start, index: cursor)
        var day = startDays.lowerBound
        let last = lastDay ?? day + 36_525
        var holiday = firstHoliday(atOrAfter: day)
        while day <= last {
            // Weeks are offered only past the days `start` may show, so every interval in them follows it.
            if day > startDays.upperBound, holiday >= holidayDays.count || holidayDays[holiday] >= day + 7,
                zone.nextTransition(after: cursor) > (day + 8) * 86_400, wholeWeek(day, weekSeconds)
            {
                day += 7
                continue
            }
            if holiday < holidayDays.count, holidayDays[holiday] == day {
                holiday += 1
                day += 1
                continue
            }
            let weekday = CivilDate.weekday(days: day)
            let midnight = day * 86_400
            for w in weekStart[weekday]..<weekStart[weekday + 1] {
                let stop = zone.forEachInterval(
                    localStart: midnight + Int64(windowStart[w]), localEnd: midnight + Int64(windowEnd[w]),
                    cursor: &cursor, body)
                if stop { return }
            }
            day += 1
        }
    }

    /// Whether service is open at this instant.
    public func isOpen(at instant: Instant) -> Bool {
        counted(from: instant, to: instant + 1) == 1
    }

    private func firstHoliday(atOrAfter day: Int64) -> Int {
        var lo = 0
        var hi = holidayDays.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if holidayDays[mid] < day { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
