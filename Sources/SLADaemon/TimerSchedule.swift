import SLACore

/// Where the engine's one timer is pointed: a pure function of the instants involved, so that every
/// choice the timer loop makes is tested without a timer or a clock.
enum TimerSchedule {
    /// What the timer waits for next.
    enum Wake: Equatable {
        /// The deadline's instant on the wall clock (CLOCK_REALTIME): a clock set forward fires it at once.
        case wallClock(Instant)
        /// The watchdog's ping, this many nanoseconds from now on the monotonic clock: a wall clock
        /// set back must not starve the watchdog. The handler re-arms for the deadline.
        case ping(inNanoseconds: Int64)
    }

    /// The instant to wake at for deadlines: the earliest deadline (now when it is overdue), but
    /// never later than `longestSleep` seconds from now, so that a clock jump or a suspend is noticed.
    /// Nil when the timer is armed already for that instant or earlier: re-arming would only delay it.
    static func deadlineWake(now: Instant, nextDeadline: Instant?, armed: Instant?, longestSleep: Int64) -> Instant? {
        var wake = now + longestSleep
        if let nextDeadline { wake = min(wake, max(nextDeadline, now)) }
        if let armed, armed <= wake { return nil }
        return wake
    }

    /// What comes first: the deadline `wake` (against `realtimeNanoseconds`, the wall clock now in
    /// nanoseconds since 1970) or the watchdog ping due in `nanosecondsToPing` (nil: no watchdog).
    static func wake(for wake: Instant, realtimeNanoseconds: Int64, nanosecondsToPing: Int64?) -> Wake {
        guard let nanosecondsToPing else { return .wallClock(wake) }
        let toDeadline = wake.secondsSince1970 * 1_000_000_000 - realtimeNanoseconds
        return nanosecondsToPing < toDeadline ? .ping(inNanoseconds: nanosecondsToPing) : .wallClock(wake)
    }
}
