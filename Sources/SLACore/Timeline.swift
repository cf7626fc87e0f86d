/// Which of a ticket's clocks a record speaks of.
public enum ClockID: Hashable, Sendable, CustomStringConvertible {
    case response
    case resolution
    /// The OLA or UC clock of this line (1 ... 4).
    case line(Int)

    public var kind: ClockKind {
        switch self {
        case .response: return .response
        case .resolution: return .resolution
        case .line: return .line
        }
    }

    /// The line number for a line clock.
    public var line: Int? {
        if case .line(let number) = self { return number }
        return nil
    }

    public var description: String {
        switch self {
        case .response: return "response"
        case .resolution: return "resolution"
        case .line(let number): return "line \(number)"
        }
    }
}

/// Why a ticket moved to another line.
public enum EscalationReason: String, Sendable {
    /// The line's OLA clock passed its due instant.
    case expired
    /// Somebody assigned the ticket (`assign`).
    case manual
}

/// One entry of a ticket's timeline: what the engine decided, and when.
///
/// The replay output, the daemon's store, the journal and the control interface all carry these.
public struct TimelineRecord: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A clock's due instant was set or changed.
        case due(ClockID, agreement: String, due: Instant)
        /// A clock reached a warning threshold.
        case warning(ClockID, agreement: String, percent: Int)
        /// A clock passed its due instant.
        case breach(ClockID, agreement: String)
        /// A clock stopped at or before its due instant.
        case met(ClockID, agreement: String)
        /// The ticket moved from one support line to another.
        case functionalEscalation(from: Int, to: Int, reason: EscalationReason)
        /// Somebody beyond the lines was told (a hierarchical rule fired).
        case hierarchicalEscalation(to: String, clock: ClockID, percent: Int)
    }

    public var at: Instant
    public var ticket: String
    public var kind: Kind

    public init(at: Instant, ticket: String, kind: Kind) {
        self.at = at
        self.ticket = ticket
        self.kind = kind
    }
}
