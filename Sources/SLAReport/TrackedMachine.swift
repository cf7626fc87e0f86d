import SLACore

/// Driving an ``SLAMachine`` with an ``OutcomeTracker`` beside it: the same calls as the machine's
/// own, with the facts of what it decided handed to `emit`. The offline report and the daemon
/// drive the engine through these, so both see the very same facts.
extension OutcomeTracker {
    /// ``SLAMachine/apply(_:at:records:)`` with its facts: deadlines before `at` fire first.
    public mutating func apply(
        _ event: TicketEvent, at: Instant, machine: inout SLAMachine, records: inout [TimelineRecord],
        emit: (ReportFact) -> Void
    ) throws(EngineError) {
        fire(before: at, machine: &machine, records: &records, emit: emit)
        let start = records.count
        willApply(event, at: at, engine: machine.engine)
        try machine.apply(event, at: at, records: &records)
        didApply(event, at: at, engine: machine.engine, records: Array(records[start...]), emit: emit)
    }

    /// ``SLAMachine/apply(batch:at:records:)`` with its facts: all events at one instant, or none.
    public mutating func apply(
        batch: [TicketEvent], at: Instant, machine: inout SLAMachine, records: inout [TimelineRecord],
        emit: (ReportFact) -> Void
    ) throws(BatchRefusal) {
        fire(before: at, machine: &machine, records: &records, emit: emit)
        if let refusal = machine.engine.firstRefusal(in: batch) {
            throw BatchRefusal(index: refusal.index, error: refusal.error)
        }
        for (index, event) in batch.enumerated() {
            do {
                try apply(event, at: at, machine: &machine, records: &records, emit: emit)
            } catch {
                preconditionFailure("batch check passed event \(index) but the engine refused it: \(error)")
            }
        }
    }

    /// ``SLAMachine/fire(before:records:)`` with its facts.
    public mutating func fire(
        before instant: Instant, machine: inout SLAMachine, records: inout [TimelineRecord],
        emit: (ReportFact) -> Void
    ) {
        track(machine: &machine, records: &records, emit: emit) { $0.fire(before: instant, records: &$1) }
    }

    /// ``SLAMachine/fire(through:records:)`` with its facts.
    public mutating func fire(
        through instant: Instant, machine: inout SLAMachine, records: inout [TimelineRecord],
        emit: (ReportFact) -> Void
    ) {
        track(machine: &machine, records: &records, emit: emit) { $0.fire(through: instant, records: &$1) }
    }

    /// Runs `step` on the machine and hands the records it appended to ``fired(_:engine:emit:)``.
    private mutating func track(
        machine: inout SLAMachine, records: inout [TimelineRecord], emit: (ReportFact) -> Void,
        _ step: (inout SLAMachine, inout [TimelineRecord]) -> Void
    ) {
        let start = records.count
        step(&machine, &records)
        if records.count > start { fired(Array(records[start...]), engine: machine.engine, emit: emit) }
    }

    /// ``SLAMachine/reconfigure(_:at:records:)`` with its facts.
    public mutating func reconfigure(
        _ configuration: Configuration, at: Instant, machine: inout SLAMachine, records: inout [TimelineRecord],
        emit: (ReportFact) -> Void
    ) throws(ReconfigurationError) {
        let start = records.count
        try machine.reconfigure(configuration, at: at, records: &records)
        if records.count > start { fired(Array(records[start...]), engine: machine.engine, emit: emit) }
    }
}
