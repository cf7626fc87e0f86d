/// A ticket as the engine sees it at one instant.
public struct TicketSnapshot: Sendable, Equatable {
    public var ticket: String
    public var priority: String
    public var line: Int
    public var sla: String
    public var isResolved: Bool
    public var pauseReason: String?
    /// Response, resolution, line.
    public var clocks: [ClockSnapshot]
}

/// One clock of a ticket as of one instant.
public struct ClockSnapshot: Sendable, Equatable {
    public enum State: String, Sendable {
        case running, paused, met, breached
        /// Stopped without a target to meet.
        case stopped
    }

    public var clock: ClockID
    public var agreement: String
    public var calendar: String
    public var state: State
    /// Service seconds counted so far.
    public var counted: Int64
    /// Nil when the agreement sets no target for the ticket's priority.
    public var target: Int64?
    /// Nil while paused, stopped before a due instant was known, or without a target.
    public var due: Instant?
}
