import Foundation
import SLATestKit
import Testing

@testable import SLACore

/// Local wall-clock time in a zone -> instant, through Foundation (the independent reference).
func local(_ text: String, _ zone: String) -> Instant {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: zone)!
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    let date = formatter.date(from: text)!
    return Instant(secondsSince1970: Int64(date.timeIntervalSince1970))
}

func window(_ from: String, _ to: String) -> ServiceWindow {
    func seconds(_ hhmm: String) -> Int32 {
        let parts = hhmm.split(separator: ":").map { Int32($0)! }
        return parts[0] * 3600 + parts[1] * 60
    }
    return ServiceWindow(start: seconds(from), end: seconds(to))
}

/// Monday-to-Friday calendar with the same windows every weekday.
func weekdays(_ zone: String, _ windows: [ServiceWindow], holidays: [LocalDate] = []) -> BusinessCalendar {
    BusinessCalendar(
        name: "office", zone: TestZones.system(zone),
        weeklyHours: Array(repeating: windows, count: 5) + [[], []], holidays: holidays)
}

struct WorkedCase: CustomStringConvertible, Sendable {
    var name: String
    var zone: String
    var windows: [ServiceWindow]?
    var holidays: [LocalDate]
    var start: String
    var target: Int64
    var due: String

    var description: String { name }
}

@Suite("Business calendars")
struct BusinessCalendarTests {
    static let workedCases: [WorkedCase] = [
        WorkedCase(
            name: "Berlin split office day over Christmas holidays", zone: "Europe/Berlin",
            windows: [window("08:00", "13:00"), window("14:00", "18:00")],
            holidays: [
                LocalDate(year: 2015, month: 12, day: 24), LocalDate(year: 2015, month: 12, day: 25),
                LocalDate(year: 2015, month: 12, day: 26),
            ],
            start: "2015-12-22 16:24:49", target: 20 * 3600, due: "2015-12-29 08:24:49"),
        WorkedCase(
            name: "Berlin Saturday start waits for Monday", zone: "Europe/Berlin",
            windows: [window("08:00", "18:00")], holidays: [],
            start: "2013-03-16 10:00:00", target: 60, due: "2013-03-18 08:01:00"),
        WorkedCase(
            name: "Berlin carries over night", zone: "Europe/Berlin",
            windows: [window("08:00", "18:00")], holidays: [],
            start: "2016-02-01 16:59:30", target: 3 * 3600 + 30 * 60, due: "2016-02-02 10:29:30"),
        WorkedCase(
            name: "Sao Paulo 24x7 across the skipped hour", zone: "America/Sao_Paulo",
            windows: nil, holidays: [],
            start: "2015-10-17 22:00:00", target: 7 * 3600, due: "2015-10-18 06:00:00"),
        WorkedCase(
            name: "target reached exactly at closing time is due at closing time", zone: "Europe/Berlin",
            windows: [window("08:00", "18:00")], holidays: [],
            start: "2016-02-01 17:00:00", target: 3600, due: "2016-02-01 18:00:00"),
        WorkedCase(
            name: "Friday evening rolls to Monday", zone: "Europe/Berlin",
            windows: [window("08:00", "18:00")], holidays: [],
            start: "2026-11-27 17:30:00", target: 3600, due: "2026-11-30 08:30:00"),
    ]

    @Test(arguments: workedCases)
    func workedCase(_ example: WorkedCase) {
        let calendar: BusinessCalendar
        if let windows = example.windows {
            calendar = weekdays(example.zone, windows, holidays: example.holidays)
        } else {
            calendar = BusinessCalendar(
                name: "24x7", zone: TestZones.system(example.zone), weeklyHours: nil,
                holidays: example.holidays)
        }
        let start = local(example.start, example.zone)
        let due = calendar.due(from: start, counting: example.target)
        #expect(due == local(example.due, example.zone))
        #expect(calendar.counted(from: start, to: due) == example.target)
    }

    @Test("24x7 with a holiday counts 23 and 25 hour days exactly")
    func daylightSavingDays() {
        let calendar = BusinessCalendar(
            name: "always", zone: TestZones.system("Europe/Berlin"), weeklyHours: nil,
            holidays: [LocalDate(year: 2026, month: 12, day: 25)])
        let spring = local("2026-03-29 00:00:00", "Europe/Berlin")
        #expect(calendar.counted(from: spring, to: local("2026-03-30 00:00:00", "Europe/Berlin")) == 23 * 3600)
        let autumn = local("2026-10-25 00:00:00", "Europe/Berlin")
        #expect(calendar.counted(from: autumn, to: local("2026-10-26 00:00:00", "Europe/Berlin")) == 25 * 3600)
        // Noon Saturday + 24 counted hours lands at 13:00 Sunday: that Sunday has only 23 hours.
        #expect(
            calendar.due(from: local("2026-03-28 12:00:00", "Europe/Berlin"), counting: 24 * 3600)
                == local("2026-03-29 13:00:00", "Europe/Berlin"))
        // The holiday is a whole local day off.
        #expect(
            calendar.counted(
                from: local("2026-12-24 12:00:00", "Europe/Berlin"), to: local("2026-12-26 12:00:00", "Europe/Berlin"))
                == 24 * 3600)
    }

    @Test("windows that touch the skipped and the repeated hour count real instants")
    func windowsAcrossTransitions() {
        let night = BusinessCalendar(
            name: "night", zone: TestZones.system("Europe/Berlin"),
            weeklyHours: Array(repeating: [window("01:00", "05:00")], count: 7))
        func countedOn(_ day: String) -> Int64 {
            night.counted(
                from: local("\(day) 00:00:00", "Europe/Berlin"),
                to: local("\(day) 12:00:00", "Europe/Berlin"))
        }
        #expect(countedOn("2026-03-29") == 3 * 3600)  // 02:00-03:00 does not exist
        #expect(countedOn("2026-10-25") == 5 * 3600)  // 02:00-03:00 happens twice
        #expect(countedOn("2026-06-01") == 4 * 3600)
        let gap = BusinessCalendar(
            name: "gap", zone: TestZones.system("Europe/Berlin"),
            weeklyHours: Array(repeating: [window("02:30", "04:00")], count: 7))
        let sunday = local("2026-03-29 00:00:00", "Europe/Berlin")
        #expect(gap.counted(from: sunday, to: sunday + 86_400) == 3600)
        #expect(gap.due(from: sunday, counting: 1) == local("2026-03-29 03:00:00", "Europe/Berlin") + 1)
    }

    @Test("a target of zero is due at once; a calendar without hours never")
    func degenerate() {
        let office = weekdays("Europe/Berlin", [window("08:00", "18:00")])
        let start = local("2026-11-28 10:00:00", "Europe/Berlin")
        #expect(office.due(from: start, counting: 0) == start)
        let closed = BusinessCalendar(
            name: "closed", zone: TestZones.system("UTC"), weeklyHours: Array(repeating: [], count: 7))
        #expect(!closed.hasServiceHours)
        #expect(closed.due(from: start, counting: 60) == .distantFuture)
        #expect(closed.counted(from: start, to: start + 86_400 * 30) == 0)
    }

    @Test("touching windows merge; open and closed instants")
    func normalisation() {
        let calendar = weekdays("UTC", [window("13:00", "18:00"), window("08:00", "13:00")])
        #expect(calendar.weeklyHours?[0] == [window("08:00", "18:00")])
        #expect(calendar.isOpen(at: local("2026-11-24 12:59:59", "UTC")))
        #expect(calendar.isOpen(at: local("2026-11-24 13:00:00", "UTC")))
        #expect(!calendar.isOpen(at: local("2026-11-24 18:00:00", "UTC")))
        #expect(!calendar.isOpen(at: local("2026-11-28 10:00:00", "UTC")))
    }
}

/// Properties over many random instants, in zones with every kind of transition.
@Suite("Business calendar properties")
struct BusinessCalendarPropertyTests {
    static let zones = [
        "Europe/Berlin", "America/Sao_Paulo", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC",
    ]

    static func calendars(_ zone: String) -> [BusinessCalendar] {
        let holidays = (2000...2040).flatMap { year in
            [LocalDate(year: year, month: 12, day: 25), LocalDate(year: year, month: 3, day: 29),
             LocalDate(year: year, month: 10, day: 18)]
        }
        return [
            weekdays(zone, [window("08:00", "13:00"), window("14:00", "18:00")], holidays: holidays),
            BusinessCalendar(
                name: "7x9", zone: TestZones.system(zone),
                weeklyHours: Array(repeating: [window("00:00", "02:30"), window("08:00", "17:00")], count: 7),
                holidays: holidays),
            BusinessCalendar(name: "24x7-holidays", zone: TestZones.system(zone), weeklyHours: nil, holidays: holidays),
            BusinessCalendar(name: "24x7", zone: TestZones.system(zone), weeklyHours: nil),
        ]
    }

    /// 2000-01-01 .. 2040-01-01, whole minutes.
    static func randomMinute(_ rng: inout SplitMix) -> Instant {
        Instant(secondsSince1970: 946_684_800 + Int64.random(in: 0..<(40 * 365 * 1440), using: &rng) * 60)
    }

    @Test("due(due(s, a), b) == due(s, a + b) and counted(s, due(s, a)) == a, minimal", arguments: zones)
    func additivity(_ zone: String) {
        var rng = SplitMix(seed: zone.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) })
        for calendar in Self.calendars(zone) {
            for _ in 0..<600 {
                let start = Instant(
                    secondsSince1970: 946_684_800 + Int64.random(in: 0..<(40 * 365 * 86_400), using: &rng))
                let a = Int64.random(in: 1...(45 * 3600), using: &rng)
                let b = Int64.random(in: 1...(45 * 3600), using: &rng)
                let dueA = calendar.due(from: start, counting: a)
                #expect(calendar.due(from: dueA, counting: b) == calendar.due(from: start, counting: a + b),
                    "\(calendar.name) \(zone) start \(start) a \(a) b \(b)")
                #expect(calendar.counted(from: start, to: dueA) == a, "\(calendar.name) \(zone) start \(start) a \(a)")
                #expect(calendar.counted(from: start, to: dueA + -1) == a - 1, "earliest instant, \(calendar.name)")
            }
        }
    }

    @Test("counted time equals a minute-by-minute count through Foundation", arguments: zones)
    func matchesFoundation(_ zone: String) {
        var rng = SplitMix(seed: UInt64(zone.utf8.count) &* 7919)
        let tz = TimeZone(identifier: zone)!
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = tz
        for calendar in Self.calendars(zone) {
            let holidays = Set(calendar.holidays)
            for caseIndex in 0..<25 {
                // Half the spans start near a transition, where mistakes live.
                var start = Self.randomMinute(&rng)
                if caseIndex % 2 == 0,
                    let transition = tz.nextDaylightSavingTimeTransition(
                        after: Date(timeIntervalSince1970: TimeInterval(start.secondsSince1970)))
                {
                    start = Instant(secondsSince1970: Int64(transition.timeIntervalSince1970) - 36 * 3600)
                }
                let minutes = Int64.random(in: 1...(3 * 1440), using: &rng)
                var expected: Int64 = 0
                for m in 0..<minutes {
                    let date = Date(timeIntervalSince1970: TimeInterval(start.secondsSince1970 + m * 60))
                    let c = gregorian.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
                    if holidays.contains(LocalDate(year: c.year!, month: c.month!, day: c.day!)) { continue }
                    let weekday = (c.weekday! + 5) % 7  // Foundation: Sunday = 1; ours: Monday = 0
                    let second = Int32(c.hour! * 3600 + c.minute! * 60)
                    let windows = calendar.weeklyHours?[weekday] ?? [ServiceWindow(start: 0, end: 86_400)]
                    if windows.contains(where: { $0.start <= second && second < $0.end }) { expected += 60 }
                }
                #expect(
                    calendar.counted(from: start, to: start + minutes * 60) == expected,
                    "\(calendar.name) \(zone) from \(start) for \(minutes) minutes")
            }
        }
    }

    @Test("long targets, where the walk jumps whole weeks, agree with a count in short steps", arguments: zones)
    func longTargets(_ zone: String) {
        var rng = SplitMix(seed: zone.utf8.reduce(3) { $0 &* 131 &+ UInt64($1) })
        /// Counted time in steps of three days: too short for a whole week to be skipped.
        func stepwise(_ calendar: BusinessCalendar, _ from: Instant, _ to: Instant) -> Int64 {
            var total: Int64 = 0
            var at = from
            while at < to {
                let next = min(at + 3 * 86_400, to)
                total += calendar.counted(from: at, to: next)
                at = next
            }
            return total
        }
        for calendar in Self.calendars(zone) {
            for _ in 0..<150 {
                let start = Instant(
                    secondsSince1970: 946_684_800 + Int64.random(in: 0..<(40 * 365 * 86_400), using: &rng))
                let amount = Int64.random(in: 1...(2_000 * 3600), using: &rng)
                let due = calendar.due(from: start, counting: amount)
                #expect(stepwise(calendar, start, due) == amount, "\(calendar.name) \(zone) \(start) + \(amount)")
                #expect(stepwise(calendar, start, due + -1) == amount - 1, "earliest, \(calendar.name) \(zone)")
                #expect(calendar.counted(from: start, to: due) == amount, "\(calendar.name) \(zone) counted")
                let (warning, breach) = calendar.due(from: start, counting: amount / 2, then: amount)
                #expect(warning == calendar.due(from: start, counting: amount / 2))
                #expect(breach == due)
            }
        }
    }
}
