/// What a record is about, as routing needs it: the record and the ticket around it.
public struct NotifiableRecord: Sendable, Equatable {
    public var record: TimelineRecord
    /// Fired after its instant (after downtime): it still notifies, and says so.
    public var late: Bool
    /// The ticket's priority level when the record was made.
    public var priority: String?
    /// The line that holds the ticket once the record happened (an escalation's new line).
    public var line: Int?
    /// Only looked up when a route matches on them (the engine does not keep them).
    public var service: String?
    public var customer: String?

    public init(
        record: TimelineRecord, late: Bool = false, priority: String? = nil, line: Int? = nil,
        service: String? = nil, customer: String? = nil
    ) {
        self.record = record
        self.late = late
        self.priority = priority
        self.line = line
        self.service = service
        self.customer = customer
    }

    /// The kind that can notify, or nil for `due` and `met`.
    public var notifyingKind: NotifyingKind? {
        switch record.kind {
        case .warning: return .warning
        case .breach: return .breach
        case .functionalEscalation, .hierarchicalEscalation: return .escalate
        case .due, .met: return nil
        }
    }

    /// The clock the record speaks of; a functional escalation speaks of the line clock.
    public var clock: ClockID? {
        switch record.kind {
        case .warning(let clock, _, _), .breach(let clock, _), .due(let clock, _, _), .met(let clock, _):
            return clock
        case .hierarchicalEscalation(_, let clock, _): return clock
        case .functionalEscalation(_, let to, _): return .line(to)
        }
    }

    public var agreement: String? {
        switch record.kind {
        case .warning(_, let agreement, _), .breach(_, let agreement), .due(_, let agreement, _),
            .met(_, let agreement):
            return agreement
        case .functionalEscalation, .hierarchicalEscalation: return nil
        }
    }
}

/// One notification to write to the outbox: whom, on which channels, when.
public struct PlannedNotification: Sendable, Equatable {
    /// Why it is sent.
    public enum Purpose: String, Sendable, CaseIterable {
        /// The record's first notice.
        case first
        /// A repeat until acknowledged.
        case `repeat`
        /// The repeats were used up unacknowledged: someone else is told.
        case unacknowledged
        /// Still unresolved `acknowledged_for` after an acknowledgement.
        case reminder
    }

    public var ticket: String
    public var person: String
    public var urgency: NotificationUrgency
    /// Tried in order: the first now, each next one when the one before is given up.
    public var channels: [String]
    /// When it is to be sent.
    public var due: Instant
    public var purpose: Purpose
    /// 0 for the first send, k for the k-th repeat.
    public var round: Int
    /// From the route: notify again this long after an acknowledgement.
    public var acknowledgedFor: Int64?

    public init(
        ticket: String, person: String, urgency: NotificationUrgency, channels: [String], due: Instant,
        purpose: Purpose, round: Int = 0, acknowledgedFor: Int64? = nil
    ) {
        self.ticket = ticket
        self.person = person
        self.urgency = urgency
        self.channels = channels
        self.due = due
        self.purpose = purpose
        self.round = round
        self.acknowledgedFor = acknowledgedFor
    }
}

extension NotificationMatch {
    /// True when the record falls under this match.
    public func accepts(_ item: NotifiableRecord) -> Bool {
        guard let kind = item.notifyingKind else { return false }
        if let kinds, !kinds.contains(kind) { return false }
        if let clocks {
            guard let clock = item.clock, clocks.contains(clock.kind) else { return false }
        }
        if let lines {
            guard let line = item.line, lines.contains(line) else { return false }
        }
        func member(_ list: [String]?, _ value: String?) -> Bool {
            guard let list else { return true }
            guard let value else { return false }
            return list.contains(value)
        }
        guard member(priorities, item.priority), member(agreements, item.agreement),
            member(customers, item.customer), member(services, item.service)
        else { return false }
        if let late, late != item.late { return false }
        return true
    }
}

extension NotificationPolicy {
    /// The index of the first route that takes the record, or nil: it notifies nobody.
    public func route(for item: NotifiableRecord) -> Int? {
        routes.firstIndex { $0.match.accepts(item) }
    }

    /// The notifications a record causes, sent from `now` on.
    ///
    /// Targets: `holder` is whoever the record concerns: for a warning or breach the person on call
    /// for the line holding the ticket; for a functional escalation the new line's on-call person (the
    /// ticket is now theirs); for a hierarchical escalation the rule's `notify` (a team's on-call
    /// person, or the person). A team name is its on-call person; a person id is that person. Each
    /// person is told once per record, in target order. The first send is at `now`, repeat k at
    /// `now + k * every`, and the `unacknowledged` targets at `now + (times + 1) * every`, resolved to
    /// who is on call then.
    ///
    /// - Parameter onCall: who is on call for a team at an instant (nil: nobody).
    public func plan(
        _ item: NotifiableRecord, lines: [SupportLine], now: Instant, onCall: (String, Instant) -> String?
    ) -> [PlannedNotification] {
        guard let index = route(for: item) else { return [] }
        let route = routes[index]
        let ticket = item.record.ticket
        var planned: [PlannedNotification] = []
        /// The notice to `person` on her channels for the route's urgency; nil when she has none.
        func notice(_ person: String, due: Instant, _ purpose: PlannedNotification.Purpose, round: Int)
            -> PlannedNotification?
        {
            guard let channels = recipients[person]?.channels(for: route.urgency), !channels.isEmpty else { return nil }
            return PlannedNotification(
                ticket: ticket, person: person, urgency: route.urgency, channels: channels, due: due, purpose: purpose,
                round: round, acknowledgedFor: purpose == .unacknowledged ? nil : route.acknowledgedFor)
        }
        for person in resolve(route.notify, item, lines: lines, at: now, onCall: onCall) {
            guard let first = notice(person, due: now, .first, round: 0) else { continue }
            planned.append(first)
            guard let every = route.repeatEvery else { continue }
            for round in stride(from: 1, through: route.repeatTimes, by: 1) {
                planned += notice(person, due: now + Int64(round) * every, .repeat, round: round).map { [$0] } ?? []
            }
        }
        if let every = route.repeatEvery, !route.unacknowledged.isEmpty, !planned.isEmpty {
            let at = now + Int64(route.repeatTimes + 1) * every
            for person in resolve(route.unacknowledged, item, lines: lines, at: at, onCall: onCall) {
                planned += notice(person, due: at, .unacknowledged, round: route.repeatTimes + 1).map { [$0] } ?? []
            }
        }
        return planned
    }

    /// The person ids a list of targets names at an instant, each once, in order.
    func resolve(
        _ targets: [String], _ item: NotifiableRecord, lines: [SupportLine], at instant: Instant,
        onCall: (String, Instant) -> String?
    ) -> [String] {
        var people: [String] = []
        func add(_ target: String?) {
            guard let target else { return }
            let person = recipients[target] != nil ? target : onCall(target, instant)
            if let person, !people.contains(person) { people.append(person) }
        }
        for target in targets {
            guard target == NotificationRoute.holder else {
                add(target)
                continue
            }
            switch item.record.kind {
            case .hierarchicalEscalation(let to, _, _):
                add(to)
            case .functionalEscalation(_, let to, _):
                add(lines.first { $0.id == to }?.team)
            default:
                add(item.line.flatMap { line in lines.first { $0.id == line }?.team })
            }
        }
        return people
    }

    /// The reminder an acknowledgement schedules, if the route asked for one (`acknowledged_for`).
    public static func reminder(
        after acknowledged: Instant, of notification: PlannedNotification
    ) -> PlannedNotification? {
        guard let wait = notification.acknowledgedFor else { return nil }
        var reminder = notification
        reminder.due = acknowledged + wait
        reminder.purpose = .reminder
        reminder.round = 0
        return reminder
    }
}
