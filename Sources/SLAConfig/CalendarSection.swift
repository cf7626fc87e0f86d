import Foundation
import SLACore
import Yams

/// The calendars section as read: every name (so references resolve even to a calendar with
/// mistakes, and one typo does not cascade) and the calendars built from them.
struct CalendarTable {
    var names: [String] = []
    var calendars: [BusinessCalendar] = []
    /// False when the section is missing or not a mapping: references are then not checked.
    var reliable = false
    /// Each name's index, so resolving a reference does not search the list.
    var indices: [String: Int] = [:]

    func index(of name: String) -> Int? { indices[name] }
}

enum Weekday {
    static let keys = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
}

extension ConfigReader {
    static let calendarKeys = ["timezone", "hours", "holidays"]

    mutating func readCalendars(_ node: Node) -> CalendarTable {
        var table = CalendarTable()
        guard let fields = mapping(node, "calendars", allowed: nil, example: "office: {timezone: Europe/Berlin}")
        else { return table }
        // With no calendar named, every reference would be a second error for the same mistake.
        table.reliable = !fields.entries.isEmpty
        if fields.entries.isEmpty {
            report(node, "calendars is empty; define at least one, for example always: {timezone: UTC}")
        }
        for field in fields.entries {
            table.indices[field.key] = table.names.count
            table.names.append(field.key)
            table.calendars.append(readCalendar(name: field.key, field.value))
        }
        return table
    }

    /// Reads one calendar; a calendar with mistakes still yields a stand-in so indices stay aligned.
    private mutating func readCalendar(name: String, _ node: Node) -> BusinessCalendar {
        let what = "calendar \"\(name)\""
        let standIn = BusinessCalendar.aroundTheClock(name: name)
        guard let fields = mapping(node, what, allowed: Self.calendarKeys, example: "{timezone: Europe/Berlin}")
        else { return standIn }
        var zone: ZoneRules?
        if let field = fields["timezone"] {
            zone = readTimeZone(field.value, what)
        } else {
            report(node, "\(what) has no timezone; add one, for example timezone: Europe/Berlin")
        }
        var weeklyHours: [[ServiceWindow]]?
        if let field = fields["hours"] {
            weeklyHours = readHours(field.value, what)
        }
        var holidays: [LocalDate] = []
        if let field = fields["holidays"],
            let items = list(field.value, "holidays of \(what)", example: "[\"2026-12-25\"]")
        {
            for item in items {
                if let date = readDate(item, "a holiday of \(what)") { holidays.append(date) }
            }
        }
        guard let zone else { return standIn }
        return BusinessCalendar(name: name, zone: zone, weeklyHours: weeklyHours, holidays: holidays)
    }

    /// The rules of a zone through ``ZoneDatabase/rules(named:)``, each zone read once a load.
    private mutating func readZone(_ identifier: String, _ node: Node, _ what: String) -> ZoneRules? {
        let result: Result<ZoneRules, ZoneLookupError>
        if let known = zoneCache[identifier] {
            result = known
        } else {
            result = zones.rules(named: identifier)
            zoneCache[identifier] = result
        }
        switch result {
        case .success(let rules):
            return rules
        case .failure(let error):
            let shown = ConfigReader.quoted(identifier)
            if let path = error.path {
                report(
                    node,
                    "unknown time zone \(shown) in \(what): \(path): \(error.reason); write an IANA name such as "
                        + "Europe/Berlin, America/New_York or UTC (zones are read from $TZDIR, else "
                        + "\(ZoneDatabase.defaultDirectory): install or update the tzdata package)"
                )
            } else {
                report(
                    node,
                    "the time zone \(shown) of \(what) is refused: \(error.reason); write an IANA name such as "
                        + "Europe/Berlin, America/New_York or UTC"
                )
            }
            return nil
        }
    }

    /// Reads a zone's IANA name into its rules: the one zone lookup calendars, teams and people share.
    mutating func readTimeZone(_ node: Node, _ what: String) -> ZoneRules? {
        guard let identifier = text(node, "the timezone of \(what)", example: "Europe/Berlin") else { return nil }
        return readZone(identifier, node, what)
    }

    /// Reads `hours`: day keys to lists of `HH:MM-HH:MM`; days not named have no service.
    /// - Parameter empty: the message when no window is given at all.
    mutating func readHours(_ node: Node, _ what: String, empty: String? = nil) -> [[ServiceWindow]] {
        var week = Array(repeating: [ServiceWindow](), count: 7)
        let before = diagnostics.count
        guard let fields = mapping(node, "the hours of \(what)", allowed: nil, example: "{mon-fri: [\"08:00-17:00\"]}")
        else { return week }
        var namedBy: [Int: Field] = [:]
        for field in fields.entries {
            guard let days = Self.days(field.key) else {
                report(
                    field.keyNode,
                    "\"\(field.key)\" in the hours of \(what) is not a day; write mon, tue, wed, thu, fri, sat, sun "
                        + "or a forward range such as mon-fri"
                )
                continue
            }
            var fresh: [Int] = []
            for day in days {
                if let earlier = namedBy[day] {
                    report(
                        field.keyNode,
                        "\(Weekday.keys[day]) is named twice in the hours of \(what): by \"\(earlier.key)\" "
                            + "(line \(earlier.keyNode.mark?.line ?? 1)) and by \"\(field.key)\"; name each day once"
                    )
                } else {
                    namedBy[day] = field
                    fresh.append(day)
                }
            }
            guard let items = list(field.value, "the hours of \(field.key) in \(what)", example: "[\"08:00-17:00\"]")
            else { continue }
            var windows: [ServiceWindow] = []
            for item in items {
                guard let window = readWindow(item, "\(field.key) in \(what)") else { continue }
                if let other = windows.first(where: { max($0.start, window.start) < min($0.end, window.end) }) {
                    report(
                        item,
                        "the window \(Self.clock(window.start))-\(Self.clock(window.end)) overlaps "
                            + "\(Self.clock(other.start))-\(Self.clock(other.end)) on \(field.key) in \(what); "
                            + "windows of one day may touch but not overlap"
                    )
                    continue
                }
                windows.append(window)
            }
            for day in fresh { week[day] = windows }
        }
        if diagnostics.count == before, week.allSatisfy(\.isEmpty) {
            report(
                node,
                empty
                    ?? "the hours of \(what) give no service at all, so its clocks would never run; "
                    + "add windows such as mon-fri: [\"08:00-17:00\"], or leave out hours for service around the clock"
            )
        }
        return week
    }

    /// `mon` or a forward range `mon-fri`, as weekday indices (Monday 0).
    static func days(_ key: String) -> [Int]? {
        let parts = key.lowercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 1 || parts.count == 2,
            let first = Weekday.keys.firstIndex(of: parts[0]),
            let last = Weekday.keys.firstIndex(of: parts[parts.count - 1]),
            first <= last
        else { return nil }
        return Array(first...last)
    }

    /// `HH:MM-HH:MM`, start 00:00 ... 23:59, end up to 24:00, start before end.
    private mutating func readWindow(_ node: Node, _ what: String) -> ServiceWindow? {
        guard let text = text(node, "a window of \(what)", example: "\"08:00-17:00\"") else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Self.minutes(parts[0]), let end = Self.minutes(parts[1]) else {
            report(node, "the window \"\(text)\" of \(what) must be written HH:MM-HH:MM, for example \"08:00-17:00\"")
            return nil
        }
        guard start < 24 * 60 else {
            report(node, "the window \"\(text)\" of \(what) starts at 24:00; a window starts from 00:00 to 23:59")
            return nil
        }
        guard end <= 24 * 60 else {
            report(node, "the window \"\(text)\" of \(what) ends after 24:00; a window ends at 24:00 at the latest")
            return nil
        }
        guard start < end else {
            report(
                node,
                "the window \"\(text)\" of \(what) does not end after it starts; a window cannot run past midnight: "
                    + "end it at 24:00 and start the next day at 00:00"
            )
            return nil
        }
        return ServiceWindow(start: Int32(start * 60), end: Int32(end * 60))
    }

    /// Minutes since midnight of `HH:MM` (two-digit minutes, hour up to 24 with 24:00 only).
    private static func minutes(_ text: Substring) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let hour = Int(parts[0]), let minute = Int(parts[1]), minute < 60, hour <= 24,
            hour < 24 || minute == 0
        else { return nil }
        return hour * 60 + minute
    }

    static func clock(_ seconds: Int32) -> String {
        let minutes = Int(seconds) / 60
        let hh = minutes / 60
        let mm = minutes % 60
        return (hh < 10 ? "0" : "") + "\(hh):" + (mm < 10 ? "0" : "") + "\(mm)"
    }

    /// `YYYY-MM-DD`, a day that exists.
    private mutating func readDate(_ node: Node, _ what: String) -> LocalDate? {
        guard let text = text(node, what, example: "\"2026-12-25\"") else { return nil }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else {
            report(node, "\(what) \"\(text)\" must be a date written YYYY-MM-DD, for example \"2026-12-25\"")
            return nil
        }
        guard year >= 1 else {
            report(node, "\(what) \"\(text)\" is in the year 0; write a year from 0001 to 9999")
            return nil
        }
        let date = LocalDate(year: year, month: month, day: day)
        guard date.isValid else {
            report(node, "\(what) \"\(text)\" is not a day of the calendar; check the month and day")
            return nil
        }
        return date
    }
}
