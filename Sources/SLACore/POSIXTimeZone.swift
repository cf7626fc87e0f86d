/// A POSIX TZ string as a TZif footer holds it (RFC 8536 §3.3, with the version 3 extensions): the
/// rule for instants past the file's last transition, such as `CET-1CEST,M3.5.0,M10.5.0/3`.
struct POSIXTimeZone: Sendable {
    /// Standard time's UTC offset in seconds (east positive, unlike the string's sign).
    var standard: Int32
    /// Daylight time: its offset and the rules that start and end it; nil when the zone keeps no DST.
    var daylight: (offset: Int32, start: Rule, end: Rule)?

    /// A day of the year and the local time of day (in the offset in force before it) a change happens.
    struct Rule: Sendable, Equatable {
        enum Day: Sendable, Equatable {
            /// `Jn`: day 1 to 365, February 29 never counted.
            case julian(Int)
            /// `n`: day 0 to 365, February 29 counted in leap years.
            case zeroBased(Int)
            /// `Mm.w.d`: weekday d (0 Sunday) of week w (5: the last) of month m.
            case monthWeek(month: Int, week: Int, weekday: Int)
        }

        var day: Day
        /// Seconds after local midnight, -167h to 167h (version 3), 02:00 when not written.
        var time: Int64

        /// The instant of local time `time` on this rule's day of `year`, in a zone at `offset`.
        func instant(year: Int64, offset: Int32) -> Int64 {
            let january1 = CivilDate.days(year: year, month: 1, day: 1)
            let day: Int64
            switch self.day {
            case .julian(let n):
                let leap = CivilDate.daysInMonth(year: year, month: 2) == 29
                day = january1 + Int64(n - 1) + (leap && n >= 60 ? 1 : 0)
            case .zeroBased(let n):
                day = january1 + Int64(n)
            case .monthWeek(let month, let week, let weekday):
                let first = CivilDate.days(year: year, month: Int64(month), day: 1)
                let firstWeekday = (CivilDate.weekday(days: first) + 1) % 7  // POSIX: Sunday 0
                var date = first + Int64((weekday - firstWeekday + 7) % 7) + Int64(week - 1) * 7
                let length = CivilDate.daysInMonth(year: year, month: Int64(month))
                while date >= first + length { date -= 7 }
                day = date
            }
            return day * 86_400 + time - Int64(offset)
        }
    }

    init(_ text: String) throws(TimeZoneFileError) {
        var scanner = Scanner(Array(text.utf8))
        try scanner.name()
        standard = -Int32(try scanner.hours(limit: 24))
        guard !scanner.atEnd else {
            daylight = nil
            return
        }
        try scanner.name()
        var dst = standard + 3600
        if !scanner.atEnd, scanner.peek != UInt8(ascii: ",") { dst = -Int32(try scanner.hours(limit: 24)) }
        guard scanner.accept(",") else {
            throw TimeZoneFileError("it names daylight time without the rules that start and end it")
        }
        let start = try scanner.rule()
        guard scanner.accept(",") else { throw TimeZoneFileError("the rule that ends daylight time is missing") }
        let end = try scanner.rule()
        guard scanner.atEnd else { throw TimeZoneFileError("it goes on after the rule that ends daylight time") }
        daylight = (dst, start, end)
    }

    /// The offset in force at an instant.
    func offset(at instant: Int64) -> Int32 {
        guard let daylight else { return standard }
        let year = CivilDate.date(days: CivilDate.floorDiv(instant + Int64(standard), 86_400)).year
        let inDaylight = periods(from: year - 1, through: year + 1).contains { $0.contains(instant) }
        return inDaylight ? daylight.offset : standard
    }

    /// Each change of offset in `(after, before)`, in time order.
    func changes(after: Int64, before: Int64) -> [(at: Int64, offset: Int32)] {
        guard let daylight else { return [] }
        let first = CivilDate.date(days: CivilDate.floorDiv(after, 86_400)).year - 1
        let last = CivilDate.date(days: CivilDate.floorDiv(before, 86_400)).year + 1
        var changes: [(at: Int64, offset: Int32)] = []
        for period in periods(from: first, through: last) {
            if period.lowerBound > after, period.lowerBound < before {
                changes.append((period.lowerBound, daylight.offset))
            }
            if period.upperBound > after, period.upperBound < before {
                changes.append((period.upperBound, standard))
            }
        }
        return changes
    }

    /// The daylight periods that start in the years given, as UTC instants, merged where one ends as
    /// the next starts (DST all year is written `0/0,J365/25`: the end meets next year's start).
    private func periods(from firstYear: Int64, through lastYear: Int64) -> [Range<Int64>] {
        guard let daylight, firstYear <= lastYear else { return [] }
        var periods: [Range<Int64>] = []
        for year in firstYear...lastYear {
            let start = daylight.start.instant(year: year, offset: standard)
            var end = daylight.end.instant(year: year, offset: daylight.offset)
            // Southern zones: daylight time starts late in one year and ends early in the next.
            if end <= start { end = daylight.end.instant(year: year + 1, offset: daylight.offset) }
            guard end > start else { continue }
            if let last = periods.last, start <= last.upperBound {
                periods[periods.count - 1] = last.lowerBound..<max(last.upperBound, end)
            } else {
                periods.append(start..<end)
            }
        }
        return periods
    }

    /// Reads the string's parts in order; every refusal names what it expected.
    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        init(_ bytes: [UInt8]) { self.bytes = bytes }

        var atEnd: Bool { position == bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[position] }

        mutating func accept(_ character: Unicode.Scalar) -> Bool {
            guard peek == UInt8(ascii: character) else { return false }
            position += 1
            return true
        }

        /// A zone abbreviation: three or more letters, or `<...>` with letters, digits, + and -.
        mutating func name() throws(TimeZoneFileError) {
            let start = position
            if accept("<") {
                while let byte = peek, byte != UInt8(ascii: ">") {
                    guard Self.isLetter(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "+")
                        || byte == UInt8(ascii: "-")
                    else { throw TimeZoneFileError("a quoted abbreviation holds a character it may not") }
                    position += 1
                }
                guard accept(">"), position - start >= 5 else {
                    throw TimeZoneFileError("a quoted abbreviation is unfinished or shorter than three characters")
                }
                return
            }
            while let byte = peek, Self.isLetter(byte) { position += 1 }
            guard position - start >= 3 else {
                throw TimeZoneFileError("a zone abbreviation of three or more letters is expected")
            }
        }

        /// `[+-]hh[:mm[:ss]]` in seconds, hours up to `limit`.
        mutating func hours(limit: Int64) throws(TimeZoneFileError) -> Int64 {
            var sign: Int64 = 1
            if accept("-") { sign = -1 } else { _ = accept("+") }
            let hours = try number(digits: 1...3)
            guard hours <= limit else { throw TimeZoneFileError("an hour of \(hours) is beyond \(limit)") }
            var seconds = hours * 3600
            if accept(":") {
                let minutes = try number(digits: 2...2)
                let rest = accept(":") ? try number(digits: 2...2) : 0
                guard minutes < 60, rest < 60 else { throw TimeZoneFileError("minutes or seconds exceed 59") }
                seconds += minutes * 60 + rest
            }
            return sign * seconds
        }

        /// `Jn`, `n` or `Mm.w.d`, then an optional `/time`.
        mutating func rule() throws(TimeZoneFileError) -> Rule {
            let day: Rule.Day
            if accept("J") {
                let n = try number(digits: 1...3)
                guard (1...365).contains(n) else { throw TimeZoneFileError("a Julian day must be from 1 to 365") }
                day = .julian(Int(n))
            } else if accept("M") {
                let month = try number(digits: 1...2)
                guard accept(".") else { throw TimeZoneFileError("a month rule is written Mm.w.d") }
                let week = try number(digits: 1...1)
                guard accept(".") else { throw TimeZoneFileError("a month rule is written Mm.w.d") }
                let weekday = try number(digits: 1...1)
                guard (1...12).contains(month), (1...5).contains(week), (0...6).contains(weekday) else {
                    throw TimeZoneFileError("a month rule's month, week or weekday is out of range")
                }
                day = .monthWeek(month: Int(month), week: Int(week), weekday: Int(weekday))
            } else {
                let n = try number(digits: 1...3)
                guard n <= 365 else { throw TimeZoneFileError("a day of the year must be from 0 to 365") }
                day = .zeroBased(Int(n))
            }
            let time = accept("/") ? try hours(limit: 167) : 7200
            return Rule(day: day, time: time)
        }

        private mutating func number(digits: ClosedRange<Int>) throws(TimeZoneFileError) -> Int64 {
            var value: Int64 = 0
            var count = 0
            while let byte = peek, Self.isDigit(byte), count < digits.upperBound {
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                count += 1
                position += 1
            }
            guard count >= digits.lowerBound else { throw TimeZoneFileError("a number is expected") }
            return value
        }

        private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
        private static func isLetter(_ byte: UInt8) -> Bool { (0x61...0x7A).contains(byte | 0x20) }
    }
}
