import Logging
import Synchronization

/// Lets through a burst of lines about misbehaving clients per interval and counts the rest, so a
/// peer with no role cannot fill the journal with one line per malformed call.
///
/// The first line let through after a suppression says how many were left out.
public final class NoticeLimiter: Sendable {
    private struct State {
        var windowStart: ContinuousClock.Instant
        var admitted = 0
        var suppressed = 0
    }

    private let burst: Int
    private let interval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state: Mutex<State>

    /// - Parameters:
    ///   - burst: lines let through per interval.
    ///   - now: the clock; tests pass their own.
    public init(
        burst: Int = 20, per interval: Duration = .seconds(60),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }
    ) {
        self.burst = burst
        self.interval = interval
        self.now = now
        self.state = Mutex(State(windowStart: now()))
    }

    /// nil when the line is to be left out; else how many were left out since the last one let through.
    public func admit() -> Int? {
        let now = self.now()
        return self.state.withLock { state -> Int? in
            if now - state.windowStart >= self.interval {
                state.windowStart = now
                state.admitted = 0
            }
            guard state.admitted < self.burst else {
                state.suppressed += 1
                return nil
            }
            state.admitted += 1
            defer { state.suppressed = 0 }
            return state.suppressed
        }
    }

    /// Logs `message` at `level` unless the limit leaves it out; a line after a suppression carries
    /// `suppressed` (the count left out) in its metadata.
    public func log(
        _ logger: Logger, _ level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
        metadata: Logger.Metadata = [:]
    ) {
        guard let suppressed = self.admit() else { return }
        var metadata = metadata
        if suppressed > 0 { metadata["suppressed"] = "\(suppressed)" }
        logger.log(level: level, message(), metadata: metadata)
    }
}
