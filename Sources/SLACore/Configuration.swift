/// The validated configuration the engine runs on: calendars, priorities, agreements, the four
/// support lines and the hierarchical escalation rules.
///
/// Built by the YAML loader (`SLAConfig`), which reports every mistake with its place in the file;
/// the engine trusts the cross-references it holds (indices into `calendars` and `agreements`).
public struct Configuration: Sendable {
    public var calendars: [BusinessCalendar]
    public var priorities: PriorityScheme
    public var agreements: [Agreement]
    /// Exactly four, line 1 first.
    public var lines: [SupportLine]
    public var hierarchicalRules: [HierarchicalRule]
    /// How long the history is kept; it runs no clock.
    public var retention: Retention
    /// The tzdata release the calendars' zone rules were read from (`2026f`); nil when unknown.
    public var tzdataVersion: String?
    /// Everyone slad may notify, in configuration order.
    public var people: [OnCallPerson]
    /// The on-call teams, in configuration order; lines and hierarchical rules name them.
    public var teams: [OnCallTeam]
    /// Channels, routes and how each person is reached (issue 11); empty: nobody is notified.
    public var notifications = NotificationPolicy()

    public init(
        calendars: [BusinessCalendar],
        priorities: PriorityScheme,
        agreements: [Agreement],
        lines: [SupportLine],
        hierarchicalRules: [HierarchicalRule],
        retention: Retention = Retention(),
        tzdataVersion: String? = nil,
        people: [OnCallPerson] = [],
        teams: [OnCallTeam] = []
    ) {
        self.people = people
        self.teams = teams
        self.calendars = calendars
        self.priorities = priorities
        self.agreements = agreements
        self.lines = lines
        self.hierarchicalRules = hierarchicalRules
        self.retention = retention
        self.tzdataVersion = tzdataVersion
    }

    /// The team with this name.
    public func team(named name: String) -> OnCallTeam? {
        teams.first { $0.name == name }
    }

    /// The person with this id.
    public func person(id: String) -> OnCallPerson? {
        people.first { $0.id == id }
    }

    /// The index of the agreement with this name.
    public func agreementIndex(named name: String) -> Int? {
        agreements.firstIndex { $0.name == name }
    }

    /// The SLA that governs a ticket for this service and customer: the first SLA whose `match`
    /// accepts both, else the SLA without `match` (the default).
    public func slaIndex(service: String?, customer: String?) -> Int? {
        var fallback: Int?
        for (index, agreement) in agreements.enumerated() where agreement.kind == .sla {
            guard let match = agreement.match else {
                if fallback == nil { fallback = index }
                continue
            }
            if match.accepts(service: service, customer: customer) { return index }
        }
        return fallback
    }
}

/// Priority levels, most urgent first, and the impact x urgency matrix that derives one.
public struct PriorityScheme: Sendable, Equatable {
    /// Level names, most urgent first (`P1` ... `P4`).
    public var levels: [String]
    /// impact -> urgency -> index into `levels`.
    public var matrix: [String: [String: Int]]

    public init(levels: [String], matrix: [String: [String: Int]]) {
        self.levels = levels
        self.matrix = matrix
    }

    public func level(named name: String) -> Int? { levels.firstIndex(of: name) }

    public func level(impact: String, urgency: String) -> Int? { matrix[impact]?[urgency] }
}

/// The three kinds of agreement a ticket's clocks run under.
public enum AgreementKind: String, Sendable, CaseIterable {
    /// Service level agreement, with the customer: response and resolution targets.
    case sla
    /// Operational level agreement, between support lines: how long a line may hold a ticket.
    case ola
    /// Underpinning contract, with a vendor (line 4): like an OLA, written into a contract.
    case uc
}

/// Which tickets an SLA covers. A missing list accepts any value.
public struct AgreementMatch: Sendable, Equatable {
    public var services: [String]?
    public var customers: [String]?

    public init(services: [String]? = nil, customers: [String]? = nil) {
        self.services = services
        self.customers = customers
    }

    public func accepts(service: String?, customer: String?) -> Bool {
        if let services {
            guard let service, services.contains(service) else { return false }
        }
        if let customers {
            guard let customer, customers.contains(customer) else { return false }
        }
        return true
    }
}

/// One target: an amount of counted service time, and the calendar it is counted in.
public struct Target: Sendable, Equatable {
    /// Counted seconds; always positive.
    public var seconds: Int64
    /// Index into `Configuration.calendars`.
    public var calendar: Int

    public init(seconds: Int64, calendar: Int) {
        self.seconds = seconds
        self.calendar = calendar
    }
}

/// The targets an agreement sets for one priority. For an OLA or UC only `resolution` is used:
/// how long the line may hold the ticket.
public struct PriorityTargets: Sendable, Equatable {
    public var response: Target?
    public var resolution: Target?
    /// The share of clocks the agreement promises to meet at this priority (`objective: 95%`),
    /// in percent; nil when the target states none (the agreement's own objective then holds).
    public var objective: Int?

    public init(response: Target? = nil, resolution: Target? = nil, objective: Int? = nil) {
        self.response = response
        self.resolution = resolution
        self.objective = objective
    }
}

/// An SLA, OLA or UC.
public struct Agreement: Sendable, Equatable {
    public var name: String
    public var kind: AgreementKind
    /// Index into `Configuration.calendars`: the calendar of targets that name none, and of
    /// clocks whose priority has no target here.
    public var calendar: Int
    /// SLA only; nil on the default SLA and on every OLA and UC.
    public var match: AgreementMatch?
    /// Indexed by priority level; nil where the agreement sets nothing for that priority.
    public var targets: [PriorityTargets?]
    /// Warning thresholds, percent of the target, ascending, each in 1...99.
    public var warn: [Int]
    /// Pause reasons that stop this agreement's clocks.
    public var pauseOn: [String]
    /// The share of clocks the agreement promises to meet (`objective: 95%`), in percent: real
    /// agreements promise a share, not every ticket. Nil when none is stated.
    public var objective: Int?

    /// The objective that holds at a priority level: the target's own, else the agreement's.
    public func objective(priority level: Int) -> Int? {
        (level < targets.count ? targets[level]?.objective : nil) ?? objective
    }

    public init(
        name: String,
        kind: AgreementKind,
        calendar: Int,
        match: AgreementMatch? = nil,
        targets: [PriorityTargets?],
        warn: [Int] = [],
        pauseOn: [String] = [],
        objective: Int? = nil
    ) {
        self.name = name
        self.kind = kind
        self.calendar = calendar
        self.match = match
        self.targets = targets
        self.warn = warn
        self.pauseOn = pauseOn
        self.objective = objective
    }
}

/// One of the four support lines and the OLA (lines 1-3) or UC (line 4) it works under.
public struct SupportLine: Sendable, Equatable {
    /// 1 ... 4.
    public var id: Int
    public var name: String
    /// Index into `Configuration.agreements`.
    public var agreement: Int
    /// The on-call team that answers for tickets this line holds; nil when none is set.
    public var team: String?

    public init(id: Int, name: String, agreement: Int, team: String? = nil) {
        self.id = id
        self.name = name
        self.agreement = agreement
        self.team = team
    }
}

/// The clocks a ticket runs.
public enum ClockKind: String, Sendable, CaseIterable, Hashable {
    /// SLA time to first response.
    case response
    /// SLA time to resolution.
    case resolution
    /// The OLA or UC clock of the line that holds the ticket.
    case line
}

/// Hierarchical escalation: tell someone beyond the lines when a clock reaches a share of its target.
public struct HierarchicalRule: Sendable, Equatable {
    public var clock: ClockKind
    /// For `clock == .line`: only this line's clock; nil for any line.
    public var line: Int?
    /// Percent of the target, 1 ... 1000 (beyond 100: that far past the breach).
    public var percent: Int
    /// Who is told: a team or a person (checked against both when either is configured).
    public var notify: String

    public init(clock: ClockKind, line: Int? = nil, percent: Int, notify: String) {
        self.clock = clock
        self.line = line
        self.percent = percent
        self.notify = notify
    }
}

