import SLACore
import SLAStore

/// What became of a batch of events sent to the daemon.
public enum SubmitOutcome: Sendable, Equatable {
    /// Applied and committed: durable before this is returned.
    case accepted(Int)
    /// The engine refused event `index`; nothing of the batch was applied.
    case refused(index: Int, error: EngineError)
    /// Event `index` cannot be taken as it stands (its instant lies ahead of slad's clock).
    case invalid(index: Int, message: String)
    /// The state cannot take the batch (it failed, or slad is stopping); nothing of it is durable,
    /// and it may be sent again once slad runs. The sentence says why.
    case storageUnavailable(reason: String)
}

/// What became of a reload.
public enum ReloadOutcome: Sendable, Equatable {
    /// The new configuration runs the clocks from now on.
    case applied(summary: String)
    /// The file has not changed since it was loaded.
    case unchanged(summary: String)
    /// Nothing changed: each problem as `file:line:column: sentence`, or a sentence.
    case refused([String])
}

/// The daemon's health at one instant, for `Status` and the service manager.
public struct HostStatus: Sendable, Equatable {
    public var configPath: String
    public var configLoaded: Instant
    public var started: Instant
    public var openTickets: Int
    public var armedTimers: Int
    public var breaches: Int
    public var nextDue: Instant?
    /// How long after their due instant the timer's recent records were emitted, in seconds.
    public var timerLateness: TimerLateness.Summary?
    /// The tzdata release of the running configuration's zone rules; nil when unknown.
    public var tzdataVersion: String?
}

/// A ticket as `GetTicket` shows it: the engine's snapshot and, per clock, its calendar's hours.
public struct TicketView: Sendable, Equatable {
    public var snapshot: TicketSnapshot
    public var calendarHours: [String]
}

/// The on-call part of the running configuration, with the overrides, at one instant.
public struct OnCallView: Sendable {
    public var people: [OnCallPerson]
    public var teams: [OnCallTeam]
    public var lines: [SupportLine]
    /// Oldest first.
    public var overrides: [StoredOverride]
    public var now: Instant

    /// The team's schedule with its overrides.
    public func schedule(of team: OnCallTeam) -> OnCallSchedule {
        OnCallSchedule(team: team, overrides: overrides.map(\.override).filter { $0.team == team.name })
    }
}

/// Why an override was not added or removed.
public enum OverrideRefusal: Error, Sendable, Equatable {
    case unknownTeam(String)
    case unknownOverride(String)
    /// A sentence: unknown person, end not after start.
    case invalid(String)
    /// The state cannot be written.
    case storage(String)
}
