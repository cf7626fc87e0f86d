import SLACore
import SLAStore

/// Turns a commit unit's records into outbox entries, on the engine's queue, before the unit is
/// committed: a notification is as durable as the record that caused it.
///
/// The schedules of the teams (with their overrides) are built once per configuration or override
/// change; routing a record is a route scan and, for the records that notify, one on-call look-up.
struct NotificationRouter {
    let policy: NotificationPolicy
    let lines: [SupportLine]
    private let schedules: [String: OnCallSchedule]
    /// Whether any route matches on service or customer, which only the log keeps.
    private let needsOpenEvent: Bool

    init(configuration: Configuration, overrides: [StoredOverride]) {
        policy = configuration.notifications
        lines = configuration.lines
        var schedules: [String: OnCallSchedule] = [:]
        if !configuration.notifications.isEmpty {
            for team in configuration.teams {
                schedules[team.name] = OnCallSchedule(
                    team: team, overrides: overrides.map(\.override).filter { $0.team == team.name })
            }
        }
        self.schedules = schedules
        needsOpenEvent = configuration.notifications.routes.contains { $0.match.needsServiceOrCustomer }
    }

    /// Adds the notifications of `unit`'s records, and the tickets its events resolved or closed.
    ///
    /// - Parameters:
    ///   - before: priority levels of tickets as they were before the batch (a closed ticket has none now).
    ///   - opened: service and customer of tickets the batch opened (not in the log yet).
    func route(
        _ unit: inout CommitUnit, engine: ClockEngine, store: StateStore, now: Instant,
        before: [String: String] = [:], opened: [String: (String?, String?)] = [:]
    ) {
        for entry in unit.log {
            guard case .event(let event) = entry else { continue }
            switch event.event.change {
            case .resolve, .close: unit.settledTickets.append(event.event.ticket)
            default: break
            }
        }
        guard !policy.isEmpty else { return }
        for stored in unit.records {
            guard case let item = NotifiableRecord(record: stored.record, late: stored.late), item.notifyingKind != nil
            else { continue }
            let ticket = stored.record.ticket
            var context = item
            context.priority = engine.priorityLevel(of: ticket) ?? before[ticket]
            context.line = engine.snapshot(of: ticket, at: now)?.line
            if case .functionalEscalation(_, let to, _) = stored.record.kind { context.line = to }
            if needsOpenEvent {
                if let pair = opened[ticket] {
                    (context.service, context.customer) = pair
                } else if let pair = try? store.openedFor(ticket: ticket) {
                    (context.service, context.customer) = pair
                }
            }
            let planned = policy.plan(context, lines: lines, now: now) { team, instant in
                schedules[team].flatMap { $0.person(of: $0.who(at: instant)) }
            }
            for notification in planned {
                unit.notifications.append(
                    OutboxEntry(
                        planned: notification, record: stored.line, recordAt: stored.record.at, late: stored.late,
                        priority: context.priority, line: context.line))
            }
        }
    }
}
