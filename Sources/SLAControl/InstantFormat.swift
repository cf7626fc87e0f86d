import Foundation
import SLAContract

/// Reads the RFC 3339 instants slad sends and shows them in one time zone (the terminal's by default).
public struct InstantFormat {
    /// The zone instants are shown in.
    public let timeZone: TimeZone
    private let printer = DateFormatter()

    /// Shows instants in `timeZone`.
    public init(timeZone: TimeZone = .current) {
        self.timeZone = timeZone
        printer.locale = Locale(identifier: "en_US_POSIX")
        printer.calendar = Calendar(identifier: .gregorian)
        printer.timeZone = timeZone
        printer.dateFormat = "yyyy-MM-dd HH:mm:ss xxx"
    }

    /// The instant of an RFC 3339 text (`2026-03-02T09:00:00+01:00`, `...Z`, with or without a fraction,
    /// which is dropped: a display shows the second the instant is in).
    public func parse(_ text: String) -> Date? {
        Timestamp.seconds(text, rounding: .down).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    /// `2026-03-02 10:00:00 +01:00`; text that is not RFC 3339 comes back unchanged (escaped for the terminal).
    public func format(_ text: String) -> String {
        guard let date = parse(text) else { return TerminalText.escaped(text) }
        return format(date)
    }

    /// `2026-03-02 10:00:00 +01:00`.
    public func format(_ date: Date) -> String {
        printer.string(from: date)
    }

    /// True when `text` is an RFC 3339 timestamp with an offset or `Z`, as events' `at` must be.
    public static func isTimestamp(_ text: String) -> Bool {
        Timestamp.seconds(text) != nil
    }
}
