@_exported import SLAContract

/// A point in time, counted in whole seconds since 1970-01-01T00:00:00Z.
///
/// slad tracks clocks to the second: whole seconds keep calendar arithmetic exact and make
/// every threshold instant reproducible between the daemon and an offline replay.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Seconds since the Unix epoch, UTC.
    public var secondsSince1970: Int64

    @inlinable
    public init(secondsSince1970: Int64) {
        self.secondsSince1970 = secondsSince1970
    }

    /// The latest representable instant, used where a clock has no deadline.
    public static let distantFuture = Instant(secondsSince1970: Int64.max / 4)

    @inlinable
    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.secondsSince1970 < rhs.secondsSince1970
    }

    @inlinable
    public static func + (lhs: Instant, rhs: Int64) -> Instant {
        Instant(secondsSince1970: lhs.secondsSince1970 + rhs)
    }

    @inlinable
    /// The instant `rhs` seconds earlier.
    public static func - (lhs: Instant, rhs: Int64) -> Instant {
        Instant(secondsSince1970: lhs.secondsSince1970 - rhs)
    }

    public static func - (lhs: Instant, rhs: Instant) -> Int64 {
        lhs.secondsSince1970 - rhs.secondsSince1970
    }

    /// RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`: the one format every record uses.
    public var description: String { Timestamp.format(self) }
}

/// A calendar date without a time or zone, as holidays are written: `2026-12-24`.
public struct LocalDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar.
    public var dayNumber: Int64 { CivilDate.days(year: Int64(year), month: Int64(month), day: Int64(day)) }

    /// Whether the month has this day (rejects 2026-02-30).
    public var isValid: Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        return day <= CivilDate.daysInMonth(year: Int64(year), month: Int64(month))
    }

    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        "\(Timestamp.pad(year, 4))-\(Timestamp.pad(month, 2))-\(Timestamp.pad(day, 2))"
    }
}

extension Timestamp {
    /// `YYYY-MM-DDTHH:MM:SSZ`.
    @inlinable
    public static func format(_ instant: Instant) -> String {
        format(secondsSince1970: instant.secondsSince1970)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; a fraction rounds up to the next second.
    /// - Returns: nil when the text is not such a timestamp or names an impossible date or time.
    @inlinable
    public static func parse(_ text: String) -> Instant? {
        seconds(text).map(Instant.init(secondsSince1970:))
    }

    /// Parses the timestamp's UTF-8 bytes; see ``parse(_:)``.
    @inlinable
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>) -> Instant? {
        seconds(utf8: bytes).map(Instant.init(secondsSince1970:))
    }
}
