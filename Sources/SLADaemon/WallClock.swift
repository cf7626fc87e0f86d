import Foundation
import SLACore

/// Where the daemon reads the time of day. The engine never reads a clock; the host asks this one,
/// so tests drive the host with a manual clock instead of sleeping.
public protocol WallClock: Sendable {
    /// The current instant, in whole seconds (the engine's resolution), rounded down.
    func now() -> Instant

    /// Seconds since 1970 with their fraction: how late a timer woke, to the microsecond.
    func preciseNow() -> Double
}

extension WallClock {
    public func preciseNow() -> Double { Double(now().secondsSince1970) }
}

/// The system's real-time clock (CLOCK_REALTIME): what due instants in UTC are measured against.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(secondsSince1970: Int64(spec.tv_sec))
    }

    public func preciseNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
}
