import SLACore

/// Runs the engine over events and turns what it decides into ``ReportFact``s, as they happen.
///
/// The engine's records say when a clock was met, breached or escalated; the events say when a
/// ticket opened, was resolved or closed. The service time a stopped clock counted is read from
/// the engine at the stop. Memory: one small entry per ticket not yet closed.
public struct OutcomeFeed: Sendable {
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

    public private(set) var machine: SLAMachine
    private var tickets: [String: TicketState] = [:]
    private var records: [TimelineRecord] = []

    public init(configuration: Configuration) {
        machine = SLAMachine(configuration: configuration)
    }

    private var configuration: Configuration { machine.engine.configuration }

    /// Applies one event at `at` (deadlines before it fire first) and hands its facts to `emit`.
    /// A refused event changes nothing and emits nothing (deadlines before it still fire).
    public mutating func apply(
        _ event: TicketEvent, at: Instant, emit: (ReportFact) -> Void
    ) throws(EngineError) {
        records.removeAll(keepingCapacity: true)
        machine.fire(before: at, records: &records)
        handleRecords(emit: emit)

        let id = event.ticket
        let before = stops(event.change) ? machine.engine.snapshot(of: id, at: at) : nil
        try machine.apply(event, at: at, records: &records)
        if case .open(_, let service, let customer, let line) = event.change,
            let snapshot = machine.engine.snapshot(of: id, at: at)
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
            if let level = machine.engine.priorityLevel(of: id), level != state.priority {
                state.priority = level
                if let line = machine.engine.snapshot(of: id, at: at)?.clocks.first(where: { $0.clock.kind == .line }),
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
        handleRecords(emit: emit)
        switch event.change {
        case .resolve:
            emit(ReportFact(at: at, ticket: id, kind: .resolved(firstLine: !state.leftLineOne), context: context(state)))
        case .reopen:
            emit(ReportFact(at: at, ticket: id, kind: .reopened, context: context(state)))
        case .close:
            emit(ReportFact(at: at, ticket: id, kind: .closed, context: context(state)))
            tickets[id] = nil
        default:
            break
        }
    }

    /// Fires every deadline through `instant` (the end of the simulated time) and emits their facts.
    public mutating func finish(through instant: Instant, emit: (ReportFact) -> Void) {
        records.removeAll(keepingCapacity: true)
        machine.fire(through: instant, records: &records)
        handleRecords(emit: emit)
    }

    private func stops(_ change: TicketChange) -> Bool {
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

    /// Turns the records gathered in ``records`` into facts, and empties it.
    private mutating func handleRecords(emit: (ReportFact) -> Void) {
        var batch: [TimelineRecord] = []
        swap(&batch, &records)
        defer {
            batch.removeAll(keepingCapacity: true)
            swap(&batch, &records)
        }
        for record in batch {
            guard var state = tickets[record.ticket] else { continue }
            var context = context(state)
            switch record.kind {
            case .due, .warning:
                continue
            case .met(let clock, let agreement):
                context.agreement = agreement
                if let line = clock.line { context.line = line }
                emit(ReportFact(at: record.at, ticket: record.ticket, kind: .decided(clock.kind, met: true), context: context))
            case .breach(let clock, let agreement):
                context.agreement = agreement
                if let line = clock.line {
                    context.line = line
                    state.lineBreached = true
                }
                emit(
                    ReportFact(at: record.at, ticket: record.ticket, kind: .decided(clock.kind, met: false), context: context))
            case .functionalEscalation(let from, let to, let reason):
                if reason == .expired {
                    // The line clock stopped at its breach, so it counted exactly its target.
                    state.lineRunning = false
                    var held = context
                    held.agreement = lineAgreementName(from)
                    held.line = from
                    emit(
                        ReportFact(
                            at: record.at, ticket: record.ticket,
                            kind: .stopped(
                                .line, service: max(lineTarget(from, priority: state.priority), state.lineCountedOverTarget),
                                wall: record.at - state.openedAt),
                            context: held))
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

    private func lineAgreementName(_ line: Int) -> String {
        configuration.agreements[configuration.lines[line - 1].agreement].name
    }

    private func lineTarget(_ line: Int, priority: String) -> Int64 {
        let agreement = configuration.agreements[configuration.lines[line - 1].agreement]
        guard let level = configuration.priorities.level(named: priority), level < agreement.targets.count else { return 0 }
        return agreement.targets[level]?.resolution?.seconds ?? 0
    }
}
