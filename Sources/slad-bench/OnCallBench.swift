import Foundation
import SLACore
import SLATestKit

/// `--only oncall`: who-is-on-call lookups a second, and a year of shifts for 50 teams.
enum OnCallBench {
    /// A team like the desk: business hours, nights, a weekend layer, in Berlin.
    static func team(_ index: Int) -> OnCallTeam {
        let zones = ["Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "UTC"]
        let start = LocalDateTime(date: LocalDate(year: 2026, month: 11, day: 30), hour: 9, minute: 0)
        let members = (0..<5).map { "p\(index)-\($0)" }
        let office = Array(repeating: [ServiceWindow(start: 8 * 3600, end: 18 * 3600)], count: 5) + [[], []]
        let nights = Array(
            repeating: [ServiceWindow(start: 0, end: 8 * 3600), ServiceWindow(start: 18 * 3600, end: 86_400)], count: 7)
        let weekend = Array(repeating: [ServiceWindow](), count: 5)
            + Array(repeating: [ServiceWindow(start: 0, end: 86_400)], count: 2)
        return OnCallTeam(
            name: "team-\(index)", zone: TestZones.system(zones[index % zones.count]),
            layers: [
                RotationLayer(name: "business-hours", members: members, every: .weeks(1), start: start, active: office),
                RotationLayer(
                    name: "nights", members: members.reversed(), every: .days(1), start: start, active: nights),
                RotationLayer(name: "weekend", members: [members[0], members[2]], every: .weeks(1), start: start,
                              active: weekend),
            ],
            fallback: members[4])
    }

    /// 100 overrides of 1 to 48 hours spread over the year.
    static func overrides(team: String, _ rng: inout SplitMix) -> [OnCallOverride] {
        let year = Timestamp.parse("2027-01-01T00:00:00Z")!
        return (0..<100).map { i in
            let start = year + Int64(rng.next(365 * 86_400))
            return OnCallOverride(
                id: "ov-\(i)", team: team, person: "p0-\(rng.next(5))", start: start,
                end: start + Int64(3_600 * (1 + rng.next(48))))
        }
    }

    static func run(lookups: Int, repetitions: Int) -> [Figure] {
        var rng = SplitMix(seed: 10)
        let schedule = OnCallSchedule(team: team(0), overrides: overrides(team: "team-0", &rng))
        let year = Timestamp.parse("2027-01-01T00:00:00Z")!
        let instants = (0..<lookups).map { _ in year + Int64(rng.next(365 * 86_400)) }
        var rates: [Double] = []
        for _ in 0..<repetitions {
            let clock = ContinuousClock()
            let began = clock.now
            var sum: Int64 = 0
            for instant in instants {
                let answer = schedule.who(at: instant)
                sum &+= Int64(answer.person) &+ Int64(answer.source)
            }
            rates.append(Double(lookups) / (clock.now - began).seconds)
            blackHole(sum)
        }
        let schedules = (0..<50).map { i in
            OnCallSchedule(team: team(i), overrides: overrides(team: "team-\(i)", &rng))
        }
        var times: [Double] = []
        var count = 0
        for _ in 0..<repetitions {
            let clock = ContinuousClock()
            let began = clock.now
            count = 0
            for schedule in schedules {
                count += schedule.shifts(from: year, until: year + 365 * 86_400).count
            }
            times.append((clock.now - began).seconds * 1000)
        }
        return [
            Figure(
                name: "who is on call (3 layers, 100 overrides), one core", value: median(rates), unit: "lookups/s",
                target: 1_000_000),
            Figure(
                name: "a year of shifts for 50 teams (\(count) shifts)", value: median(times), unit: "ms", target: 50,
                higherIsBetter: false),
        ]
    }
}
