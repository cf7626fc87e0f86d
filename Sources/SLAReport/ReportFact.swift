import SLACore

/// What a ticket was when something happened to it: the values a report groups by.
///
/// Each fact carries the values of its own moment (the priority and holding line at the breach, at
/// the stop, at the transfer), so a later change of the ticket or of the configuration never
/// rewrites what was recorded.
public struct ReportContext: Sendable, Equatable, Hashable {
    /// The agreement of the clock the fact speaks of (the SLA for response and resolution, the
    /// line's OLA or UC for a line clock); the ticket's SLA for facts about the whole ticket.
    public var agreement: String
    public var priority: String
    public var customer: String
    public var service: String
    /// The line holding the ticket (for a line clock: that clock's line).
    public var line: Int

    public init(agreement: String, priority: String, customer: String, service: String, line: Int) {
        self.agreement = agreement
        self.priority = priority
        self.customer = customer
        self.service = service
        self.line = line
    }
}

/// One outcome a report counts: a compact row made from the engine's records and the events.
///
/// The report is a fold over these in time order (``ReportFold``); the offline report makes them
/// from a replay (``OutcomeFeed``).
public struct ReportFact: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case opened
        /// Service restored; `firstLine` when the ticket never left line 1.
        case resolved(firstLine: Bool)
        case reopened
        case closed
        /// The priority changed (the context holds the new one): backlogs group by it from here on.
        case reprioritized
        /// A clock with a target was decided: met when it stopped at or before its due instant,
        /// not met when it breached.
        case decided(ClockKind, met: Bool)
        /// A clock run stopped: the service time it counted (the agreement's hours, pauses
        /// excluded) and the wall time from the ticket's opening.
        case stopped(ClockKind, service: Int64, wall: Int64)
        /// A functional escalation or hand-back between lines; `onTime` when the line clock of
        /// `from` had not breached.
        case transfer(from: Int, to: Int, onTime: Bool)
        /// A hierarchical rule fired.
        case hierarchical
    }

    public var at: Instant
    public var ticket: String
    public var kind: Kind
    public var context: ReportContext

    public init(at: Instant, ticket: String, kind: Kind, context: ReportContext) {
        self.at = at
        self.ticket = ticket
        self.kind = kind
        self.context = context
    }
}
