import SLACore
import SLADaemon
import Synchronization

/// A clock that moves only when told to, so tests drive timers and repeats without sleeping.
public final class ManualClock: WallClock {
    private let current: Mutex<Instant>

    public init(_ start: Instant) { current = Mutex(start) }

    public func now() -> Instant { current.withLock { $0 } }

    public func set(_ instant: Instant) { current.withLock { $0 = instant } }

    public func advance(seconds: Int64) { current.withLock { $0 = $0 + seconds } }
}
