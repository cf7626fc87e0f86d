import SLACore

/// Runs the engine over events and turns what it decides into ``ReportFact``s, as they happen: the
/// offline report's driver, an ``SLAMachine`` with an ``OutcomeTracker`` beside it.
public struct OutcomeFeed: Sendable {
    public private(set) var machine: SLAMachine
    public private(set) var tracker = OutcomeTracker()
    private var records: [TimelineRecord] = []

    public init(configuration: Configuration) {
        machine = SLAMachine(configuration: configuration)
    }

    /// Applies one event at `at` (deadlines before it fire first) and hands its facts to `emit`.
    /// A refused event changes nothing and emits nothing (deadlines before it still fire).
    public mutating func apply(
        _ event: TicketEvent, at: Instant, emit: (ReportFact) -> Void
    ) throws(EngineError) {
        records.removeAll(keepingCapacity: true)
        try tracker.apply(event, at: at, machine: &machine, records: &records, emit: emit)
    }

    /// Fires every deadline through `instant` (the end of the simulated time) and emits their facts.
    public mutating func finish(through instant: Instant, emit: (ReportFact) -> Void) {
        records.removeAll(keepingCapacity: true)
        tracker.fire(through: instant, machine: &machine, records: &records, emit: emit)
    }
}

/// Turns what the engine decides into ``ReportFact``s, beside whoever drives the engine (the
/// offline report, the daemon).
///
/// The engine's records say when a clock was met, breached or escalated; the events say when a
/// ticket opened, was resolved or closed. The service time a stopped clock counted is read from
/// the engine just before the stopping event. Memory: one small entry per ticket not yet closed.
///
/// Protocol: records of deadlines go to ``fired(_:engine:emit:)``; each event is bracketed by
/// ``willApply(_:at:engine:)`` (after the deadlines before it fired) and, if the engine took it,
/// ``didApply(_:at:engine:records:emit:)`` with the records it produced.
public struct OutcomeTracker: Sendable {
    /// What the feed remembers of a ticket between its events.
    struct TicketState: Sendable {
        var openedAt: Instant
        var priority: String
        var sla: String
        var customer: String
        var service: String
        var line: Int
        var leftLineOne: Bool
        /// Whether the current line clock run has breached.
        var lineBreached = false
        var responseRunning = true
        var resolutionRunning = true
        var lineRunning = true
        /// What the line clock had counted when a new priority set its target below that: an
        /// expiry then fires at once and the clock keeps what it counted, not its target.
        var lineCountedOverTarget: Int64 = 0
    }

    private var tickets: [String: TicketState] = [:]
    /// The engine's view of the ticket of the event in progress, just before it.
    private var pending: TicketSnapshot?

    public init() {}

    /// Tickets the tracker remembers (not closed yet).
    public var ticketCount: Int { tickets.count }

    /// Notes what the engine knows of the event's ticket just before the event.
    public mutating func willApply(_ event: TicketEvent, at: Instant, engine: ClockEngine) {
        pending = Self.stops(event.change) ? engine.snapshot(of: event.ticket, at: at) : nil
    }

    /// The facts of an event the engine applied, from its records.
    public mutating func didApply(
        _ event: TicketEvent, at: Instant, engine: ClockEngine, records: [TimelineRecord], emit: (ReportFact) -> Void
    ) {
        let before = pending
        pending = nil
        let id = event.ticket
        if case .open(_, let service, let customer, let line) = event.change,
            let snapshot = engine.snapshot(of: id, at: at)
        {
            let state = TicketState(
                openedAt: at, priority: snapshot.priority, sla: snapshot.sla, customer: customer ?? "",
                service: service ?? "", line: line ?? 1, leftLineOne: (line ?? 1) != 1)
            tickets[id] = state
            emit(ReportFact(at: at, ticket: id, kind: .opened, context: context(state)))
        }
        guard var state = tickets[id] else { return }
        let clocks = before?.clocks
        let stoppedContext = context(state)
        let openedAt = state.openedAt
        func stop(_ kind: ClockKind, _ running: inout Bool) {
            guard running, let clock = clocks?.first(where: { $0.clock.kind == kind }) else { return }
            running = false
            var context = stoppedContext
            if kind == .line { context.agreement = clock.agreement }
            emit(
                ReportFact(
                    at: at, ticket: id, kind: .stopped(kind, service: clock.counted, wall: at - openedAt),
                    context: context))
        }
        switch event.change {
        case .open, .pause, .resume:
            break
        case .respond:
            stop(.response, &state.responseRunning)
        case .assign:
            stop(.line, &state.lineRunning)
        case .resolve, .close:
            stop(.response, &state.responseRunning)
            stop(.resolution, &state.resolutionRunning)
            stop(.line, &state.lineRunning)
        case .reprioritize:
            if let level = engine.priorityLevel(of: id), level != state.priority {
                state.priority = level
                if let line = engine.snapshot(of: id, at: at)?.clocks.first(where: { $0.clock.kind == .line }),
                    let target = line.target, line.counted > target
                {
                    state.lineCountedOverTarget = line.counted
                }
                emit(ReportFact(at: at, ticket: id, kind: .reprioritized, context: context(state)))
            }
        case .reopen:
            state.resolutionRunning = true
            state.lineRunning = true
            state.lineBreached = false
            state.lineCountedOverTarget = 0
        }
        tickets[id] = state
        // The records of the event itself: met clocks and a manual transfer.
        fired(records, engine: engine, emit: emit)
        switch event.change {
        case .resolve:
            emit(
                ReportFact(at: at, ticket: id, kind: .resolved(firstLine: !state.leftLineOne), context: context(state)))
        case .reopen:
            emit(ReportFact(at: at, ticket: id, kind: .reopened, context: context(state)))
        case .close:
            emit(ReportFact(at: at, ticket: id, kind: .closed, context: context(state)))
            tickets[id] = nil
        default:
            break
        }
    }

    private static func stops(_ change: TicketChange) -> Bool {
        switch change {
        case .respond, .assign, .resolve, .close: return true
        default: return false
        }
    }

    private func context(_ state: TicketState) -> ReportContext {
        ReportContext(
            agreement: state.sla, priority: state.priority, customer: state.customer, service: state.service,
            line: state.line)
    }

    /// The facts of records: those of deadlines that fired (or of a reconfiguration), and those of
    /// an event (through ``didApply(_:at:engine:records:emit:)``).
    public mutating func fired(_ records: [TimelineRecord], engine: ClockEngine, emit: (ReportFact) -> Void) {
        let configuration = engine.configuration
        for record in records {
            guard var state = tickets[record.ticket] else { continue }
            var context = context(state)
            switch record.kind {
            case .due, .warning:
                continue
            case .met(let clock, let agreement):
                context.agreement = agreement
                if let line = clock.line { context.line = line }
                emit(
                    ReportFact(
                        at: record.at, ticket: record.ticket, kind: .decided(clock.kind, met: true), context: context))
            case .breach(let clock, let agreement):
                context.agreement = agreement
                if let line = clock.line {
                    context.line = line
                    state.lineBreached = true
                }
                emit(
                    ReportFact(
                        at: record.at, ticket: record.ticket, kind: .decided(clock.kind, met: false), context: context))
            case .functionalEscalation(let from, let to, let reason):
                if reason == .expired {
                    // The line clock stopped at its breach, so it counted exactly its target.
                    state.lineRunning = false
                    var held = context
                    held.agreement = Self.lineAgreementName(from, configuration)
                    held.line = from
                    let service = max(
                        Self.lineTarget(from, priority: state.priority, configuration), state.lineCountedOverTarget)
                    emit(
                        ReportFact(
                            at: record.at, ticket: record.ticket,
                            kind: .stopped(.line, service: service, wall: record.at - state.openedAt), context: held))
                }
                context.line = from
                emit(
                    ReportFact(
                        at: record.at, ticket: record.ticket,
                        kind: .transfer(from: from, to: to, onTime: !state.lineBreached), context: context))
                state.line = to
                state.lineBreached = false
                state.lineCountedOverTarget = 0
                state.lineRunning = true
                if to != 1 { state.leftLineOne = true }
            case .hierarchicalEscalation(_, let clock, _):
                if let line = clock.line { context.line = line }
                emit(ReportFact(at: record.at, ticket: record.ticket, kind: .hierarchical, context: context))
            }
            tickets[record.ticket] = state
        }
    }

    private static func lineAgreementName(_ line: Int, _ configuration: Configuration) -> String {
        configuration.agreements[configuration.lines[line - 1].agreement].name
    }

    private static func lineTarget(_ line: Int, priority: String, _ configuration: Configuration) -> Int64 {
        let agreement = configuration.agreements[configuration.lines[line - 1].agreement]
        guard let level = configuration.priorities.level(named: priority), level < agreement.targets.count else {
            return 0
        }
        return agreement.targets[level]?.resolution?.seconds ?? 0
    }
}
