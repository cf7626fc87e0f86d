import Foundation
import SLATestKit
import Testing

@testable import SLACore

private func utc(_ text: String) -> Instant { Timestamp.parse(text)! }

private func at(_ date: String, _ hh: Int, _ mm: Int = 0) -> LocalDateTime {
    let parts = date.split(separator: "-").map { Int($0)! }
    return LocalDateTime(date: LocalDate(year: parts[0], month: parts[1], day: parts[2]), hour: hh, minute: mm)
}

private func team(
    _ zone: String, _ layers: [RotationLayer], fallback: String? = nil
) -> OnCallTeam {
    OnCallTeam(name: "desk", zone: TestZones.system(zone), layers: layers, fallback: fallback)
}

/// `person@start..end` for each shift, so a failure shows the whole schedule at a glance.
private func render(_ shifts: [OnCallShift]) -> [String] {
    shifts.map { shift in
        let who = shift.person ?? "-"
        let why: String
        switch shift.source {
        case .override(let id): why = "override \(id)"
        case .layer(let name): why = name
        case .fallback: why = "fallback"
        case .nobody: why = "nobody"
        }
        return "\(who) (\(why)) \(shift.start)..\(shift.end)"
    }
}

private let everyDay = Array(repeating: [ServiceWindow](), count: 7)

private func daily(_ windows: [ServiceWindow]) -> [[ServiceWindow]] { Array(repeating: windows, count: 7) }

private func weekdays(_ windows: [ServiceWindow]) -> [[ServiceWindow]] {
    Array(repeating: windows, count: 5) + [[], []]
}

@Suite("On-call schedules: named cases")
struct OnCallNamedCaseTests {
    @Test("weekly Monday 09:00 in Europe/Berlin across spring forward: 167-hour turn")
    func berlinWeeklySpring() {
        let layer = RotationLayer(name: "week", members: ["alice", "bob"], every: .weeks(1), start: at("2026-03-23", 9))
        let schedule = OnCallSchedule(team: team("Europe/Berlin", [layer]))
        // 09:00 CET is 08:00Z; the next Monday 09:00 is CEST, 07:00Z.
        #expect(
            render(schedule.shifts(from: utc("2026-03-23T08:00:00Z"), until: utc("2026-04-06T07:00:00Z"))) == [
                "alice (week) 2026-03-23T08:00:00Z..2026-03-30T07:00:00Z",
                "bob (week) 2026-03-30T07:00:00Z..2026-04-06T07:00:00Z",
            ])
    }

    @Test("weekly Monday 09:00 in Europe/Berlin across fall back: 169-hour turn, turn 30 alice, 31 bob")
    func berlinWeeklyAutumn() {
        let layer = RotationLayer(name: "week", members: ["alice", "bob"], every: .weeks(1), start: at("2026-03-23", 9))
        let schedule = OnCallSchedule(team: team("Europe/Berlin", [layer]))
        #expect(
            render(schedule.shifts(from: utc("2026-10-19T07:00:00Z"), until: utc("2026-11-02T08:00:00Z"))) == [
                "alice (week) 2026-10-19T07:00:00Z..2026-10-26T08:00:00Z",
                "bob (week) 2026-10-26T08:00:00Z..2026-11-02T08:00:00Z",
            ])
        #expect(schedule.person(of: schedule.who(at: utc("2026-10-26T07:59:59Z"))) == "alice")
        #expect(schedule.person(of: schedule.who(at: utc("2026-10-26T08:00:00Z"))) == "bob")
    }

    @Test("daily 02:30 in Europe/Berlin: on 2026-03-29 02:30 does not exist, the handoff is at 03:00 CEST")
    func berlinDailyInGap() {
        let layer = RotationLayer(
            name: "day", members: ["a", "b", "c"], every: .days(1), start: at("2026-03-27", 2, 30))
        let schedule = OnCallSchedule(team: team("Europe/Berlin", [layer]))
        #expect(
            render(schedule.shifts(from: utc("2026-03-27T01:30:00Z"), until: utc("2026-03-31T00:30:00Z"))) == [
                "a (day) 2026-03-27T01:30:00Z..2026-03-28T01:30:00Z",
                "b (day) 2026-03-28T01:30:00Z..2026-03-29T01:00:00Z",
                "c (day) 2026-03-29T01:00:00Z..2026-03-30T00:30:00Z",
                "a (day) 2026-03-30T00:30:00Z..2026-03-31T00:30:00Z",
            ])
        #expect(schedule.handoff(layer: 0, turn: 2) == utc("2026-03-29T01:00:00Z"))
    }

    @Test("12-hour rotation in America/New_York across fall back: the night turn lasts 13 hours")
    func newYorkTwelveHours() {
        let layer = RotationLayer(name: "half", members: ["x", "y"], every: .hours(12), start: at("2026-10-31", 8))
        let schedule = OnCallSchedule(team: team("America/New_York", [layer]))
        #expect(
            render(schedule.shifts(from: utc("2026-10-31T12:00:00Z"), until: utc("2026-11-02T13:00:00Z"))) == [
                "x (half) 2026-10-31T12:00:00Z..2026-11-01T00:00:00Z",
                "y (half) 2026-11-01T00:00:00Z..2026-11-01T13:00:00Z",
                "x (half) 2026-11-01T13:00:00Z..2026-11-02T01:00:00Z",
                "y (half) 2026-11-02T01:00:00Z..2026-11-02T13:00:00Z",
            ])
    }

    @Test("Australia/Lord_Howe's 30-minute spring gap: 02:15 on 2026-10-04 happens at 02:30 LHDT")
    func lordHoweGap() {
        let layer = RotationLayer(name: "day", members: ["a", "b"], every: .days(1), start: at("2026-10-03", 2, 15))
        let schedule = OnCallSchedule(team: team("Australia/Lord_Howe", [layer]))
        // +10:30 before, +11:00 after 2026-10-03T15:30Z.
        #expect(
            render(schedule.shifts(from: utc("2026-10-02T15:45:00Z"), until: utc("2026-10-04T15:15:00Z"))) == [
                "a (day) 2026-10-02T15:45:00Z..2026-10-03T15:30:00Z",
                "b (day) 2026-10-03T15:30:00Z..2026-10-04T15:15:00Z",
            ])
    }

    @Test("Australia/Lord_Howe's 30-minute fall back: 01:45 on 2026-04-05 hands off at its first occurrence")
    func lordHoweFold() {
        let layer = RotationLayer(name: "day", members: ["a", "b"], every: .days(1), start: at("2026-04-04", 1, 45))
        let schedule = OnCallSchedule(team: team("Australia/Lord_Howe", [layer]))
        // 01:45 +11:00 is 14:45Z; the repeated 01:45 +10:30 (15:15Z) hands off nothing.
        #expect(
            render(schedule.shifts(from: utc("2026-04-03T14:45:00Z"), until: utc("2026-04-05T15:15:00Z"))) == [
                "a (day) 2026-04-03T14:45:00Z..2026-04-04T14:45:00Z",
                "b (day) 2026-04-04T14:45:00Z..2026-04-05T15:15:00Z",
            ])
        // The second pass through 01:30-02:00 +10:30 (15:00Z-15:30Z) is still b's turn.
        for t in ["2026-04-04T15:00:00Z", "2026-04-04T15:14:59Z", "2026-04-04T15:15:00Z", "2026-04-04T15:29:59Z"] {
            #expect(schedule.person(of: schedule.who(at: utc(t))) == "b")
        }
    }

    @Test("daily 02:30 in Europe/Berlin on 2026-10-25: the handoff is at the first 02:30, the second hands off nothing")
    func berlinDailyInFold() {
        let layer = RotationLayer(name: "day", members: ["a", "b"], every: .days(1), start: at("2026-10-24", 2, 30))
        let schedule = OnCallSchedule(team: team("Europe/Berlin", [layer]))
        #expect(
            render(schedule.shifts(from: utc("2026-10-24T00:30:00Z"), until: utc("2026-10-26T01:30:00Z"))) == [
                "a (day) 2026-10-24T00:30:00Z..2026-10-25T00:30:00Z",
                "b (day) 2026-10-25T00:30:00Z..2026-10-26T01:30:00Z",
            ])
        // 01:00Z-02:00Z shows 02:00-03:00 CET a second time; 01:30Z is the second 02:30.
        for t in ["2026-10-25T01:00:00Z", "2026-10-25T01:29:59Z", "2026-10-25T01:30:00Z", "2026-10-25T01:59:59Z"] {
            #expect(schedule.person(of: schedule.who(at: utc(t))) == "b")
        }
    }

    @Test("Asia/Kathmandu (+05:45): daily 09:00 is 03:15Z")
    func kathmandu() {
        let layer = RotationLayer(name: "day", members: ["a", "b"], every: .days(1), start: at("2026-12-01", 9))
        let schedule = OnCallSchedule(team: team("Asia/Kathmandu", [layer]))
        #expect(
            render(schedule.shifts(from: utc("2026-12-01T00:00:00Z"), until: utc("2026-12-03T03:15:00Z"))) == [
                "- (nobody) 2026-12-01T00:00:00Z..2026-12-01T03:15:00Z",
                "a (day) 2026-12-01T03:15:00Z..2026-12-02T03:15:00Z",
                "b (day) 2026-12-02T03:15:00Z..2026-12-03T03:15:00Z",
            ])
    }

    @Test("an active window across midnight (22:00-24:00 and 00:00-06:00) is one piece a night")
    func activeAcrossMidnight() {
        let nights = RotationLayer(
            name: "nights", members: ["dave", "erin"], every: .days(1), start: at("2026-12-01", 22),
            active: daily([ServiceWindow(start: 0, end: 6 * 3600), ServiceWindow(start: 22 * 3600, end: 86_400)]))
        let schedule = OnCallSchedule(team: team("Europe/Berlin", [nights], fallback: "carol"))
        #expect(
            render(schedule.shifts(from: utc("2026-12-01T12:00:00Z"), until: utc("2026-12-03T12:00:00Z"))) == [
                "carol (fallback) 2026-12-01T12:00:00Z..2026-12-01T21:00:00Z",
                "dave (nights) 2026-12-01T21:00:00Z..2026-12-02T05:00:00Z",
                "carol (fallback) 2026-12-02T05:00:00Z..2026-12-02T21:00:00Z",
                "erin (nights) 2026-12-02T21:00:00Z..2026-12-03T05:00:00Z",
                "carol (fallback) 2026-12-03T05:00:00Z..2026-12-03T12:00:00Z",
            ])
        #expect(schedule.source(of: schedule.who(at: utc("2026-12-01T23:00:00Z"))) == .layer("nights"))
        #expect(schedule.source(of: schedule.who(at: utc("2026-12-02T05:00:00Z"))) == .fallback)
    }

    private static let dailyUTC = RotationLayer(
        name: "day", members: ["a", "b"], every: .days(1), start: at("2026-12-01", 9))

    private func overridden(_ overrides: [(String, String, String)]) -> [String] {
        let list = overrides.enumerated().map { i, o in
            OnCallOverride(id: "ov-\(i + 1)", team: "desk", person: o.0, start: utc(o.1), end: utc(o.2))
        }
        let schedule = OnCallSchedule(team: team("UTC", [Self.dailyUTC]), overrides: list)
        return render(schedule.shifts(from: utc("2026-12-01T09:00:00Z"), until: utc("2026-12-03T09:00:00Z")))
    }

    @Test("an override inside a shift splits it in three")
    func overrideInside() {
        #expect(
            overridden([("z", "2026-12-01T12:00:00Z", "2026-12-01T14:00:00Z")]) == [
                "a (day) 2026-12-01T09:00:00Z..2026-12-01T12:00:00Z",
                "z (override ov-1) 2026-12-01T12:00:00Z..2026-12-01T14:00:00Z",
                "a (day) 2026-12-01T14:00:00Z..2026-12-02T09:00:00Z",
                "b (day) 2026-12-02T09:00:00Z..2026-12-03T09:00:00Z",
            ])
    }

    @Test("an override across a handoff shortens both turns")
    func overrideAcross() {
        #expect(
            overridden([("z", "2026-12-02T06:00:00Z", "2026-12-02T12:00:00Z")]) == [
                "a (day) 2026-12-01T09:00:00Z..2026-12-02T06:00:00Z",
                "z (override ov-1) 2026-12-02T06:00:00Z..2026-12-02T12:00:00Z",
                "b (day) 2026-12-02T12:00:00Z..2026-12-03T09:00:00Z",
            ])
    }

    @Test("an override over a whole shift hides it; a newer override wins where they overlap")
    func overrideOver() {
        #expect(
            overridden([
                ("z", "2026-12-01T08:00:00Z", "2026-12-02T10:00:00Z"),
                ("y", "2026-12-02T09:30:00Z", "2026-12-02T11:00:00Z"),
            ]) == [
                "z (override ov-1) 2026-12-01T09:00:00Z..2026-12-02T09:30:00Z",
                "y (override ov-2) 2026-12-02T09:30:00Z..2026-12-02T11:00:00Z",
                "b (day) 2026-12-02T11:00:00Z..2026-12-03T09:00:00Z",
            ])
    }

    @Test("three layers and a fallback: the last covering layer wins, the fallback fills the rest")
    func threeLayers() {
        let base = RotationLayer(name: "base", members: ["p"], every: .weeks(1), start: at("2026-12-08", 0))
        let office = RotationLayer(
            name: "office", members: ["o1", "o2"], every: .days(1), start: at("2026-12-07", 0),
            active: weekdays([ServiceWindow(start: 8 * 3600, end: 18 * 3600)]))
        let lunch = RotationLayer(
            name: "lunch", members: ["l"], every: .weeks(1), start: at("2026-12-07", 0),
            active: weekdays([ServiceWindow(start: 12 * 3600, end: 13 * 3600)]))
        let schedule = OnCallSchedule(team: team("UTC", [base, office, lunch], fallback: "f"))
        // Monday 2026-12-07: base has not started, so outside office hours the fallback is on call.
        #expect(
            render(schedule.shifts(from: utc("2026-12-07T00:00:00Z"), until: utc("2026-12-08T09:00:00Z"))) == [
                "f (fallback) 2026-12-07T00:00:00Z..2026-12-07T08:00:00Z",
                "o1 (office) 2026-12-07T08:00:00Z..2026-12-07T12:00:00Z",
                "l (lunch) 2026-12-07T12:00:00Z..2026-12-07T13:00:00Z",
                "o1 (office) 2026-12-07T13:00:00Z..2026-12-07T18:00:00Z",
                "f (fallback) 2026-12-07T18:00:00Z..2026-12-08T00:00:00Z",
                "p (base) 2026-12-08T00:00:00Z..2026-12-08T08:00:00Z",
                "o2 (office) 2026-12-08T08:00:00Z..2026-12-08T09:00:00Z",
            ])
        // Saturday: neither office nor lunch is active, the base layer is.
        #expect(schedule.source(of: schedule.who(at: utc("2026-12-12T12:30:00Z"))) == .layer("base"))
    }

    @Test("no layer and no fallback: nobody, a gap")
    func nobody() {
        let schedule = OnCallSchedule(team: team("UTC", []))
        #expect(schedule.person(of: schedule.who(at: utc("2026-12-01T00:00:00Z"))) == nil)
        #expect(schedule.source(of: schedule.who(at: utc("2026-12-01T00:00:00Z"))) == .nobody)
    }
}

@Suite("On-call schedules: properties over random schedules")
struct OnCallPropertyTests {
    static let zones = [
        "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "UTC", "Europe/Dublin",
        "Pacific/Chatham", "America/Santiago",
    ]

    static func randomLayer(_ rng: inout SplitMix, name: String, people: [String], allowActive: Bool) -> RotationLayer {
        let every: TurnLength
        switch rng.next(3) {
        case 0: every = .hours(1 + rng.next(48))
        case 1: every = .days(1 + rng.next(3))
        default: every = .weeks(1 + rng.next(2))
        }
        let count = 1 + rng.next(3)
        let members = (0..<count).map { _ in people[rng.next(people.count)] }
        // Handoffs at any quarter hour, often in the small hours where the zones change.
        let start = LocalDateTime(
            secondsSinceLocalEpoch: (20_400 + Int64(rng.next(800))) * 86_400 + Int64(rng.next(96)) * 900)
        var active: [[ServiceWindow]]?
        if allowActive, rng.next(2) == 0 {
            active = (0..<7).map { _ in
                var windows: [ServiceWindow] = []
                var cursor: Int32 = Int32(rng.next(10)) * 1800
                while cursor < 86_400, rng.next(3) != 0 {
                    let end = min(86_400, cursor + Int32(1 + rng.next(16)) * 1800)
                    windows.append(ServiceWindow(start: cursor, end: end))
                    cursor = end + Int32(1 + rng.next(8)) * 1800
                }
                return windows
            }
        }
        return RotationLayer(name: name, members: members, every: every, start: start, active: active)
    }

    static func randomSchedule(_ rng: inout SplitMix, allowActive: Bool = true) -> OnCallSchedule {
        let people = ["ann", "ben", "cho", "dev", "eva"]
        let layers = (0..<(1 + rng.next(3))).map {
            randomLayer(&rng, name: "l\($0)", people: people, allowActive: allowActive)
        }
        let overrides = (0..<rng.next(5)).map { i -> OnCallOverride in
            let start = Instant(secondsSince1970: (20_400 + Int64(rng.next(800))) * 86_400 + Int64(rng.next(86_400)))
            return OnCallOverride(
                id: "ov-\(i)", team: "t", person: people[rng.next(people.count)], start: start,
                end: start + Int64(1 + rng.next(200_000)))
        }
        let zone = zones[rng.next(zones.count)]
        return OnCallSchedule(
            team: OnCallTeam(
                name: "t", zone: TestZones.system(zone), layers: layers,
                fallback: rng.next(2) == 0 ? "fay" : nil),
            overrides: overrides)
    }

    static func window(_ rng: inout SplitMix, schedule: OnCallSchedule) -> (Instant, Instant) {
        let first = schedule.team.layers.map(\.start.secondsSinceLocalEpoch).min()!
        let a = first - 86_400 * 3 + Int64(rng.next(86_400 * 60))
        return (Instant(secondsSince1970: a), Instant(secondsSince1970: a + 3_600 + Int64(rng.next(86_400 * 40))))
    }

    @Test("who(T) equals the shift covering T, at random instants and at every shift's edges")
    func whoMatchesShifts() {
        var rng = SplitMix(seed: 10)
        for _ in 0..<1_500 {
            let schedule = Self.randomSchedule(&rng)
            let (a, b) = Self.window(&rng, schedule: schedule)
            let shifts = schedule.shifts(from: a, until: b)
            #expect(shifts.first?.start == a && shifts.last?.end == b)
            for (x, y) in zip(shifts, shifts.dropFirst()) {
                #expect(x.end == y.start && (x.person != y.person || x.source != y.source))
            }
            var probes = (0..<8).map { _ in a + Int64(rng.next(Int(b - a))) }
            probes += shifts.flatMap { [$0.start, $0.end - 1] }
            // Around every zone transition, where the wall clock skips or repeats.
            var date = Date(timeIntervalSince1970: TimeInterval(a.secondsSince1970))
            while let next = TimeZone(identifier: schedule.team.zone.name)!.nextDaylightSavingTimeTransition(after: date),
                next.timeIntervalSince1970 < TimeInterval(b.secondsSince1970)
            {
                let t = Instant(secondsSince1970: Int64(next.timeIntervalSince1970))
                probes += stride(from: -7_200, through: 7_200, by: 450).map { t + Int64($0) }
                    .filter { a <= $0 && $0 < b }
                date = next
            }
            for t in probes {
                let shift = shifts.first { $0.start <= t && t < $0.end }!
                let answer = schedule.who(at: t)
                guard schedule.person(of: answer) == shift.person, schedule.source(of: answer) == shift.source
                else {
                    Issue.record("\(schedule.team.zone.name) \(schedule.team.layers) at \(t): \(shift)")
                    return
                }
            }
        }
    }

    @Test("the shifts of [a, c) are those of [a, b) and [b, c), merged at b")
    func shiftsSplit() {
        var rng = SplitMix(seed: 11)
        for _ in 0..<1_500 {
            let schedule = Self.randomSchedule(&rng)
            let (a, c) = Self.window(&rng, schedule: schedule)
            let b = a + Int64(rng.next(Int(c - a)))
            var joined = schedule.shifts(from: a, until: b)
            for shift in schedule.shifts(from: b, until: c) {
                if let last = joined.last, last.end == shift.start, last.person == shift.person,
                    last.source == shift.source
                {
                    joined[joined.count - 1].end = shift.end
                } else {
                    joined.append(shift)
                }
            }
            #expect(joined == schedule.shifts(from: a, until: c))
        }
    }

    @Test("a layer without active hours: turns follow one another without gap or overlap, on the wall clock")
    func contiguousTurns() {
        var rng = SplitMix(seed: 12)
        for _ in 0..<1_000 {
            let zone = TimeZone(identifier: Self.zones[rng.next(Self.zones.count)])!
            var layer = Self.randomLayer(&rng, name: "only", people: ["p"], allowActive: false)
            layer.members = ["a", "b", "c"]
            let schedule = OnCallSchedule(team: OnCallTeam(name: "t", zone: TestZones.system(zone.identifier), layers: [layer]))
            let from = schedule.handoff(layer: 0, turn: 0)
            let until = from + 86_400 * 45
            let shifts = schedule.shifts(from: from, until: until)
            #expect(shifts.allSatisfy { $0.source == .layer("only") })
            for (k, shift) in shifts.enumerated() {
                #expect(shift.person == layer.members[k % 3])
                #expect(shift.start == schedule.handoff(layer: 0, turn: Int64(k)))
                // Checked against Foundation's zone: the handoff shows the local time, or it is the
                // first instant past a gap over it; nothing before it showed that time or later.
                let wanted = layer.start.secondsSinceLocalEpoch + Int64(k) * layer.every.seconds
                let s = shift.start.secondsSince1970
                func shown(_ t: Int64) -> Int64 {
                    t + Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
                }
                #expect(shown(s) >= wanted)
                for back in [1, 900, 1_800, 3_600, 7_200] as [Int64] { #expect(shown(s - back) < wanted) }
            }
        }
    }

    @Test("turn counts match the local days between, divided by every")
    func turnCounts() {
        var rng = SplitMix(seed: 13)
        for _ in 0..<2_000 {
            let zone = TimeZone(identifier: Self.zones[rng.next(Self.zones.count)])!
            let days = 1 + rng.next(7)
            let every: TurnLength = rng.next(2) == 0 ? .days(days) : .weeks(1 + rng.next(2))
            let start = LocalDateTime(secondsSinceLocalEpoch: (20_400 + Int64(rng.next(800))) * 86_400 + 12 * 3_600)
            let layer = RotationLayer(name: "l", members: ["a", "b"], every: every, start: start)
            let schedule = OnCallSchedule(team: OnCallTeam(name: "t", zone: TestZones.system(zone.identifier), layers: [layer]))
            // Probe at local noon + an hour, far from any handoff at noon and from midnight changes.
            let laterDays = Int64(rng.next(400))
            let probeLocal = start.secondsSinceLocalEpoch + laterDays * 86_400 + 3_600
            let probe = Instant(secondsSince1970: probeLocal - 12 * 3_600)
            let offset = Int64(
                zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(probe.secondsSince1970))))
            let t = Instant(secondsSince1970: probeLocal - offset)
            let shifts = schedule.shifts(from: schedule.handoff(layer: 0, turn: 0), until: t + 1)
            #expect(Int64(shifts.count) == laterDays / (every.seconds / 86_400) + 1)
        }
    }
}
