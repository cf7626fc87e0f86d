import Foundation
import SLAContract

/// A team's shifts as an RFC 5545 calendar, for people to import into their calendar application.
///
/// One VEVENT a shift with somebody on call (gaps have none), its start and end in the team's zone
/// (`DTSTART;TZID=...`) with a VTIMEZONE describing that zone's offsets over the shifts; a local time
/// the zone shows twice (a fall-back hour) is written in UTC instead, since TZID times mean the first
/// occurrence. The UID is made of the team, the start and the end, so a shift keeps its UID from one
/// export to the next (a shift cut by the export's window is a different piece, with another UID).
/// Lines end in CRLF and are folded at 75 octets.
public struct OnCallCalendar {
    public var team: String
    public var timeZone: TimeZone
    public var shifts: [SlaInterface.Shift]
    /// DTSTAMP of every event: when the calendar was made.
    public var made: Date

    public init(team: String, timeZone: TimeZone, shifts: [SlaInterface.Shift], made: Date = Date()) {
        self.team = team
        self.timeZone = timeZone
        self.shifts = shifts
        self.made = made
    }

    public func render() -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//slad//slactl oncall ical//EN", "CALSCALE:GREGORIAN"]
        let instants = shifts.compactMap { shift -> (Date, Date, SlaInterface.Shift)? in
            guard shift.person != nil, let s = Self.date(shift.start), let e = Self.date(shift.end) else { return nil }
            return (s, e, shift)
        }
        if let first = instants.first?.0, let last = instants.last?.1 {
            lines += timeZoneComponent(from: first, to: last)
        }
        for (start, end, shift) in instants {
            let why = shift.layer ?? shift.override.map { "override \($0)" } ?? "fallback"
            lines += [
                "BEGIN:VEVENT",
                "UID:" + Self.escaped("\(team)-\(Self.utc(start))-\(Self.utc(end))@slad"),
                "DTSTAMP:" + Self.utc(made),
                "DTSTART" + local(start),
                "DTEND" + local(end),
                "SUMMARY:" + Self.escaped("On call for \(team): \(shift.person ?? "") (\(why))"),
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.folded).joined(separator: "\r\n") + "\r\n"
    }

    /// `;TZID=Europe/Berlin:20261207T090000`, or `:20261025T010000Z` for a repeated local time.
    private func local(_ date: Date) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let wall = date.addingTimeInterval(TimeInterval(offset))
        // Another instant showing the same wall-clock time earlier, under the offset of a few hours before?
        let before = timeZone.secondsFromGMT(for: date.addingTimeInterval(-3 * 3_600))
        let other = wall.addingTimeInterval(TimeInterval(-before))
        if before != offset, other < date, timeZone.secondsFromGMT(for: other) == before {
            return ":" + Self.utc(date)
        }
        return ";TZID=\(Self.escapedParameter(timeZone.identifier)):" + Self.floating(wall)
    }

    /// A VTIMEZONE with one STANDARD or DAYLIGHT part for the offset in force at `from` and for each
    /// transition until `to`.
    private func timeZoneComponent(from: Date, to: Date) -> [String] {
        var lines = ["BEGIN:VTIMEZONE", "TZID:" + Self.escapedParameter(timeZone.identifier)]
        func part(at date: Date, from before: Int, to after: Int) {
            let kind = timeZone.isDaylightSavingTime(for: date) ? "DAYLIGHT" : "STANDARD"
            lines += [
                "BEGIN:\(kind)",
                "DTSTART:" + Self.floating(date.addingTimeInterval(TimeInterval(before))),
                "TZOFFSETFROM:" + Self.offset(before),
                "TZOFFSETTO:" + Self.offset(after),
                "END:\(kind)",
            ]
        }
        let initial = timeZone.secondsFromGMT(for: from)
        var previous = timeZone.previousTransition(before: from)
        let start = previous ?? Date(timeIntervalSince1970: 0)
        part(at: start, from: previous.map { timeZone.secondsFromGMT(for: $0.addingTimeInterval(-1)) } ?? initial,
             to: initial)
        previous = timeZone.nextDaylightSavingTimeTransition(after: from)
        while let transition = previous, transition < to {
            part(
                at: transition, from: timeZone.secondsFromGMT(for: transition.addingTimeInterval(-1)),
                to: timeZone.secondsFromGMT(for: transition))
            previous = timeZone.nextDaylightSavingTimeTransition(after: transition)
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    private static func date(_ text: String) -> Date? {
        Timestamp.seconds(text, rounding: .down).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    private static let utcFormat: DateFormatter = {
        let format = DateFormatter()
        format.locale = Locale(identifier: "en_US_POSIX")
        format.calendar = Calendar(identifier: .gregorian)
        format.timeZone = TimeZone(identifier: "UTC")
        format.dateFormat = "yyyyMMdd'T'HHmmss"
        return format
    }()

    private static func utc(_ date: Date) -> String { utcFormat.string(from: date) + "Z" }

    /// A wall-clock time already shifted into UTC's representation: printed without a zone.
    private static func floating(_ wall: Date) -> String { utcFormat.string(from: wall) }

    private static func offset(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        let hh = magnitude / 3600
        let mm = magnitude / 60 % 60
        let ss = magnitude % 60
        let text = sign + (hh < 10 ? "0" : "") + "\(hh)" + (mm < 10 ? "0" : "") + "\(mm)"
        return ss == 0 ? text : text + (ss < 10 ? "0" : "") + "\(ss)"
    }

    /// TEXT escaping (RFC 5545 3.3.11).
    static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n": out += "\\n"
            default:
                // Other control characters have no escape in TEXT: left out.
                if character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) {
                    out.append(character)
                }
            }
        }
        return out
    }

    private static func escapedParameter(_ text: String) -> String {
        text.filter { $0 != "\"" && $0 != ";" && $0 != ":" && $0 != "," && !$0.isNewline }
    }

    /// Folds a content line at 75 octets, never inside a UTF-8 sequence (RFC 5545 3.1).
    static func folded(_ line: String) -> String {
        var out = ""
        var width = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if width + size > 75 {
                out += "\r\n "
                width = 1
            }
            out.unicodeScalars.append(scalar)
            width += size
        }
        return out
    }
}

extension TimeZone {
    /// The latest transition at or before `date`, found by walking forward from a year earlier.
    func previousTransition(before date: Date) -> Date? {
        var cursor = nextDaylightSavingTimeTransition(after: date.addingTimeInterval(-400 * 86_400))
        var last: Date?
        while let transition = cursor, transition <= date {
            last = transition
            cursor = nextDaylightSavingTimeTransition(after: transition)
        }
        return last
    }
}
