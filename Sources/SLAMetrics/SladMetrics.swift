import CoreMetrics
import Prometheus
import Synchronization

/// slad's metrics: swift-metrics handles reporting into one Prometheus registry, which `/metrics`
/// serves. Counting is an atomic add on a handle made once; nothing here allocates per count.
///
/// The registry is this object's own, not swift-metrics' global bootstrap: libraries never bootstrap,
/// and tests run several daemons' metrics side by side.
public final class SladMetrics: Sendable {
    /// The kinds of timeline record, as the `kind` label names them.
    public enum RecordKind: Int, CaseIterable, Sendable {
        case due, warning, breach, met, escalate
        var label: String { ["due", "warning", "breach", "met", "escalate"][rawValue] }
    }

    /// The clocks, as the `clock` label names them.
    public enum ClockLabel: Int, CaseIterable, Sendable {
        case response, resolution, line
        public var label: String { ["response", "resolution", "line"][rawValue] }
    }

    /// What became of an entry sent to the journal, as the `result` label names it.
    public struct JournalCounts: Sendable, Equatable {
        public var written: UInt64
        public var dropped: UInt64
        public var failed: UInt64

        public init(written: UInt64, dropped: UInt64, failed: UInt64) {
            self.written = written
            self.dropped = dropped
            self.failed = failed
        }
    }

    /// Open and breached tickets of one line and priority, as the engine counted them.
    public struct TicketCount: Sendable, Equatable {
        public var line: Int
        public var priority: String
        public var open: Int
        public var breached: Int

        public init(line: Int, priority: String, open: Int, breached: Int) {
            self.line = line
            self.priority = priority
            self.open = open
            self.breached = breached
        }
    }

    /// Bucket bounds, in seconds: a timer that is a millisecond late is healthy, one a second late is not.
    public static let latenessBuckets: [Double] = [
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
    ]
    public static let commitBuckets: [Double] = [
        0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1, 2.5,
    ]
    public static let batchBuckets: [Double] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192]

    public let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    /// Index `kind * 3 + clock`.
    private let records: [CoreMetrics.Counter]
    private let breaches = Mutex<[LabelPair: CoreMetrics.Counter]>([:])
    private let escalations = Mutex<[LabelPair: CoreMetrics.Counter]>([:])
    private let refusals = Mutex<[String: CoreMetrics.Counter]>([:])
    private let timerLateness: CoreMetrics.Timer
    private let submitEvents: CoreMetrics.Counter
    private let commitDuration: CoreMetrics.Timer
    private let commitBatch: CoreMetrics.Recorder
    private let reloadTimestamp: CoreMetrics.Gauge
    private let reloadSuccessful: CoreMetrics.Gauge
    private let varlinkConnections: CoreMetrics.Gauge
    private let journal: [CoreMetrics.Counter]
    private let journalSeen = Mutex<JournalCounts>(JournalCounts(written: 0, dropped: 0, failed: 0))
    private let residentMemory: CoreMetrics.Gauge
    private let startTime: CoreMetrics.Gauge
    private let cpuSeconds: CoreMetrics.FloatingPointCounter
    private let cpuSeen = Mutex<Double>(0)
    private let openFiles: CoreMetrics.Gauge
    private let tickets = Mutex<[LabelPair: (open: CoreMetrics.Gauge, breached: CoreMetrics.Gauge)]>([:])

    struct LabelPair: Hashable, Sendable {
        var first: String
        var second: String
    }

    public init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        func seconds(_ bounds: [Double]) -> [Duration] { bounds.map { .nanoseconds(Int64($0 * 1e9)) } }
        factory.durationHistogramBuckets = [
            MetricCatalog.timerLateness.name: seconds(Self.latenessBuckets),
            MetricCatalog.commitDuration.name: seconds(Self.commitBuckets),
        ]
        factory.valueHistogramBuckets = [MetricCatalog.commitBatchEvents.name: Self.batchBuckets]
        self.registry = registry
        self.factory = factory
        var records: [CoreMetrics.Counter] = []
        for kind in RecordKind.allCases {
            for clock in ClockLabel.allCases {
                records.append(
                    Counter(
                        label: MetricCatalog.records.name, dimensions: [("kind", kind.label), ("clock", clock.label)],
                        factory: factory))
            }
        }
        self.records = records
        timerLateness = Timer(label: MetricCatalog.timerLateness.name, factory: factory)
        submitEvents = Counter(label: MetricCatalog.submitEvents.name, factory: factory)
        commitDuration = Timer(label: MetricCatalog.commitDuration.name, factory: factory)
        commitBatch = Recorder(label: MetricCatalog.commitBatchEvents.name, aggregate: true, factory: factory)
        reloadTimestamp = Gauge(label: MetricCatalog.reloadTimestamp.name, factory: factory)
        reloadSuccessful = Gauge(label: MetricCatalog.reloadSuccessful.name, factory: factory)
        varlinkConnections = Gauge(label: MetricCatalog.varlinkConnections.name, factory: factory)
        journal = ["written", "dropped", "failed"].map {
            Counter(label: MetricCatalog.journalRecords.name, dimensions: [("result", $0)], factory: factory)
        }
        residentMemory = Gauge(label: MetricCatalog.residentMemory.name, factory: factory)
        startTime = Gauge(label: MetricCatalog.startTime.name, factory: factory)
        cpuSeconds = FloatingPointCounter(label: MetricCatalog.cpuSeconds.name, factory: factory)
        openFiles = Gauge(label: MetricCatalog.openFileDescriptors.name, factory: factory)
    }

    // MARK: - Counting (from the records and outcomes the daemon already has)

    /// One committed record of `kind` on `clock`.
    @inline(__always)
    public func countRecord(_ kind: RecordKind, clock: ClockLabel) {
        records[kind.rawValue * 3 + clock.rawValue].increment()
    }

    /// One committed breach of `clock` under `agreement`.
    public func countBreach(agreement: String, clock: ClockLabel) {
        counter(in: breaches, MetricCatalog.breaches, LabelPair(first: agreement, second: clock.label), "agreement", "clock")
            .increment()
    }

    /// One committed escalation: `type` is `functional` (to a line) or `hierarchical` (to a name).
    public func countEscalation(type: String, to target: String) {
        counter(in: escalations, MetricCatalog.escalations, LabelPair(first: type, second: target), "type", "to")
            .increment()
    }

    /// Makes the series of a configuration's agreements and escalation targets exist at zero, so that
    /// `rate()` and `increase()` see their first breach (a series born at 1 hides it).
    public func prepare(breaches: [(agreement: String, clock: ClockLabel)], escalations: [(type: String, to: String)]) {
        for (agreement, clock) in breaches {
            _ = counter(in: self.breaches, MetricCatalog.breaches, LabelPair(first: agreement, second: clock.label),
                "agreement", "clock")
        }
        for (type, to) in escalations {
            _ = counter(in: self.escalations, MetricCatalog.escalations, LabelPair(first: type, second: to), "type", "to")
        }
    }

    private func counter(
        in table: borrowing Mutex<[LabelPair: CoreMetrics.Counter]>, _ definition: MetricDefinition, _ labels: LabelPair,
        _ first: String, _ second: String
    ) -> CoreMetrics.Counter {
        table.withLock { counters in
            if let counter = counters[labels] { return counter }
            let counter = Counter(
                label: definition.name, dimensions: [(first, labels.first), (second, labels.second)], factory: factory)
            counters[labels] = counter
            return counter
        }
    }

    /// A threshold record the timer emitted `seconds` after its due instant (a negative lateness, from a
    /// wall clock set back, counts as none).
    public func observeTimerLateness(seconds: Double) {
        timerLateness.recordNanoseconds(Int64(max(0, seconds) * 1e9))
    }

    /// `count` events accepted and committed.
    public func countSubmitted(events count: Int) {
        submitEvents.increment(by: count)
    }

    /// A refused batch; `error` names the reason (`unknown_ticket`, `invalid_transition`, ...).
    public func countRefused(error: String) {
        refusals.withLock { counters in
            if let counter = counters[error] { return counter }
            let counter = Counter(
                label: MetricCatalog.submitRefused.name, dimensions: [("error", error)], factory: factory)
            counters[error] = counter
            return counter
        }.increment()
    }

    /// Makes the refusal series exist at zero.
    public func prepare(refusals errors: [String]) {
        for error in errors {
            refusals.withLock { counters in
                if counters[error] == nil {
                    counters[error] = Counter(
                        label: MetricCatalog.submitRefused.name, dimensions: [("error", error)], factory: factory)
                }
            }
        }
    }

    /// One group commit that took `seconds` and made `events` events durable.
    public func observeCommit(seconds: Double, events: Int) {
        commitDuration.recordNanoseconds(Int64(max(0, seconds) * 1e9))
        commitBatch.record(events)
    }

    /// A configuration load or reload: `successful`, at `secondsSince1970` (the timestamp moves only
    /// on success).
    public func noteReload(successful: Bool, at secondsSince1970: Double) {
        reloadSuccessful.record(successful ? 1 : 0)
        if successful { reloadTimestamp.record(secondsSince1970) }
    }

    // MARK: - Read when scraped

    /// Sets the ticket gauges to `counts`; series of a line and priority no longer counted (a priority
    /// a reload dropped) are removed.
    public func setTickets(_ counts: [TicketCount]) {
        tickets.withLock { gauges in
            var seen = Set<LabelPair>()
            for count in counts {
                let key = LabelPair(first: String(count.line), second: count.priority)
                seen.insert(key)
                let pair =
                    gauges[key]
                    ?? {
                        let dimensions = [("line", key.first), ("priority", key.second)]
                        let made = (
                            open: Gauge(label: MetricCatalog.openTickets.name, dimensions: dimensions, factory: factory),
                            breached: Gauge(
                                label: MetricCatalog.breachedOpenTickets.name, dimensions: dimensions, factory: factory)
                        )
                        gauges[key] = made
                        return made
                    }()
                pair.open.record(count.open)
                pair.breached.record(count.breached)
            }
            for (key, pair) in gauges where !seen.contains(key) {
                pair.open.destroy()
                pair.breached.destroy()
                gauges[key] = nil
            }
        }
    }

    /// Sets the control socket's connection count.
    public func setVarlinkConnections(_ count: Int) {
        varlinkConnections.record(count)
    }

    /// Brings the journal counters up to the writer's own counts (they only grow).
    public func setJournal(_ counts: JournalCounts) {
        journalSeen.withLock { seen in
            let now = [counts.written, counts.dropped, counts.failed]
            let before = [seen.written, seen.dropped, seen.failed]
            for index in 0..<3 where now[index] > before[index] {
                journal[index].increment(by: Int64(clamping: now[index] - before[index]))
            }
            seen = JournalCounts(
                written: max(counts.written, seen.written), dropped: max(counts.dropped, seen.dropped),
                failed: max(counts.failed, seen.failed))
        }
    }

    /// Sets the process figures from `/proc`.
    public func setProcess(_ sample: ProcessSample) {
        residentMemory.record(sample.residentMemoryBytes)
        startTime.record(sample.startTimeSeconds)
        openFiles.record(sample.openFileDescriptors)
        cpuSeen.withLock { seen in
            if sample.cpuSeconds > seen {
                cpuSeconds.increment(by: sample.cpuSeconds - seen)
                seen = sample.cpuSeconds
            }
        }
    }

    // MARK: - Exposition

    /// Everything registered, in `format`, with help texts.
    public func exposition(_ format: ExpositionFormat) -> [UInt8] {
        var text: [UInt8] = []
        registry.emit(into: &text)
        return Exposition.render(text, format: format, help: MetricCatalog.helpByName)
    }
}
