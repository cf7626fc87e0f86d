import SLACore
import Testing

@testable import SLADaemon

@Suite("The timer's wake time")
struct TimerScheduleTests {
    struct DeadlineCase: Sendable, CustomTestStringConvertible {
        var name: String
        var next: Int64?
        var armed: Int64?
        var wake: Int64?
        var testDescription: String { name }
    }

    /// Now is 1000 s; the longest sleep is 30 s.
    @Test(
        "the wake instant for deadlines",
        arguments: [
            DeadlineCase(name: "no deadline: wake within the longest sleep", next: nil, armed: nil, wake: 1030),
            DeadlineCase(name: "a near deadline", next: 1010, armed: nil, wake: 1010),
            DeadlineCase(name: "a far deadline: the longest sleep first", next: 5000, armed: nil, wake: 1030),
            DeadlineCase(name: "an overdue deadline wakes now", next: 900, armed: nil, wake: 1000),
            DeadlineCase(name: "armed earlier already: left alone", next: 1010, armed: 1005, wake: nil),
            DeadlineCase(name: "armed for the same instant: left alone", next: 1010, armed: 1010, wake: nil),
            DeadlineCase(name: "armed later: brought forward", next: 1010, armed: 1030, wake: 1010),
        ])
    func deadlineWake(_ example: DeadlineCase) {
        let wake = TimerSchedule.deadlineWake(
            now: Instant(secondsSince1970: 1000), nextDeadline: example.next.map(Instant.init(secondsSince1970:)),
            armed: example.armed.map(Instant.init(secondsSince1970:)), longestSleep: 30)
        #expect(wake == example.wake.map(Instant.init(secondsSince1970:)))
    }

    struct PingCase: Sendable, CustomTestStringConvertible {
        var name: String
        /// Nanoseconds since 1970 on the wall clock, the deadline being at 1010 s.
        var realtime: Int64
        var toPing: Int64?
        var wake: TimerSchedule.Wake
        var testDescription: String { name }
    }

    @Test(
        "the deadline or the watchdog's ping, whichever comes first",
        arguments: [
            PingCase(
                name: "no watchdog", realtime: 1_000_000_000_000, toPing: nil,
                wake: .wallClock(Instant(secondsSince1970: 1010))),
            PingCase(
                name: "the ping first", realtime: 1_000_000_000_000, toPing: 500_000_000,
                wake: .ping(inNanoseconds: 500_000_000)),
            PingCase(
                name: "the deadline first", realtime: 1_009_900_000_000, toPing: 500_000_000,
                wake: .wallClock(Instant(secondsSince1970: 1010))),
            PingCase(
                name: "a tie goes to the deadline", realtime: 1_009_500_000_000, toPing: 500_000_000,
                wake: .wallClock(Instant(secondsSince1970: 1010))),
            PingCase(
                name: "an overdue ping comes first", realtime: 1_000_000_000_000, toPing: -1,
                wake: .ping(inNanoseconds: -1)),
        ])
    func pingOrDeadline(_ example: PingCase) {
        let wake = TimerSchedule.wake(
            for: Instant(secondsSince1970: 1010), realtimeNanoseconds: example.realtime,
            nanosecondsToPing: example.toPing)
        #expect(wake == example.wake)
    }
}
