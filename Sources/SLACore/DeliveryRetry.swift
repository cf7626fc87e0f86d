/// What one delivery attempt came to, as a channel adapter reports it.
public enum DeliveryOutcome: Sendable, Equatable {
    /// 2xx, exit status 0.
    case delivered
    /// 429, 5xx, a connection error, a timeout, EX_TEMPFAIL: try again later.
    case temporary(String)
    /// Anything else: no use trying this notification on this channel again.
    case permanent(String)
    /// HTTP 410 Gone: the endpoint says it is gone for good; the channel is disabled.
    case gone(String)
}

/// What the delivery worker does after an attempt.
public enum DeliveryStep: Sendable, Equatable {
    /// Mark it sent.
    case sent
    /// Try again at this instant (milliseconds since 1970).
    case retry(atMilliseconds: Int64)
    /// Give up on this channel: mark it failed with the reason and try the person's next channel now.
    case failed(String)
    /// As ``failed(_:)``, and disable the channel until a reload.
    case disableChannel(String)
}

/// Exponential backoff with jitter: 1 s, doubling, at most 5 min; give up `give_up_after` after the
/// first attempt. Pure: the instant and the random draw come in, so tests fix both.
public enum DeliveryRetry {
    public static let firstDelayMilliseconds: Int64 = 1_000
    public static let longestDelayMilliseconds: Int64 = 300_000

    /// The delay after `failures` failed attempts (1: the first failed), before jitter.
    public static func baseDelay(afterFailures failures: Int) -> Int64 {
        guard failures > 0 else { return 0 }
        let doublings = min(failures - 1, 20)
        return min(longestDelayMilliseconds, firstDelayMilliseconds << Int64(doublings))
    }

    /// The delay with "equal jitter": half fixed, half drawn, so retries of many notifications that
    /// failed together spread out, yet none comes back sooner than half the base.
    ///
    /// - Parameter random: a draw in 0 ..< 1.
    public static func delay(afterFailures failures: Int, random: Double) -> Int64 {
        let base = baseDelay(afterFailures: failures)
        let draw = min(max(random, 0), 0.999_999)
        return base / 2 + Int64(Double(base - base / 2) * draw)
    }

    /// The step after an attempt.
    ///
    /// - Parameters:
    ///   - failures: failed attempts on this channel so far, this one included when it failed.
    ///   - firstAttempt: when the first attempt on this channel began (ms since 1970).
    ///   - now: ms since 1970.
    ///   - giveUpAfter: seconds.
    public static func step(
        after outcome: DeliveryOutcome, failures: Int, firstAttempt: Int64, now: Int64, giveUpAfter: Int64,
        random: Double
    ) -> DeliveryStep {
        switch outcome {
        case .delivered: return .sent
        case .permanent(let reason): return .failed(reason)
        case .gone(let reason): return .disableChannel(reason)
        case .temporary(let reason):
            let next = now + delay(afterFailures: failures, random: random)
            if next - firstAttempt > giveUpAfter * 1000 {
                let span = ServiceDuration.format((now - firstAttempt) / 1000)
                return .failed("gave up after \(failures) attempts over \(span): \(reason)")
            }
            return .retry(atMilliseconds: next)
        }
    }
}
