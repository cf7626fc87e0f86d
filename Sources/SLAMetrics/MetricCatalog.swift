/// One metric family slad exposes: its name, type, help text and label names.
///
/// Names, types and labels are a contract (dashboards and alerting rules select on them); they
/// follow the Prometheus naming guide: base units, `_total` on counters, no unbounded label.
public struct MetricDefinition: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    public var name: String
    public var kind: Kind
    public var help: String
    public var labels: [String]

    public init(_ name: String, _ kind: Kind, _ help: String, labels: [String] = []) {
        self.name = name
        self.kind = kind
        self.help = help
        self.labels = labels
    }
}

/// Every metric family slad exposes.
public enum MetricCatalog {
    public static let openTickets = MetricDefinition(
        "slad_open_tickets", .gauge, "Open (not closed) tickets by the line that holds them and their priority.",
        labels: ["line", "priority"])
    public static let breachedOpenTickets = MetricDefinition(
        "slad_breached_open_tickets", .gauge,
        "Open, unresolved tickets with a breached clock, by the line that holds them and their priority.",
        labels: ["line", "priority"])
    public static let records = MetricDefinition(
        "slad_records_total", .counter, "Timeline records committed, by kind and clock.", labels: ["kind", "clock"])
    public static let breaches = MetricDefinition(
        "slad_breaches_total", .counter, "Breaches committed, by the agreement and the clock that breached.",
        labels: ["agreement", "clock"])
    public static let escalations = MetricDefinition(
        "slad_escalations_total", .counter,
        "Escalations committed: functional to a line (2 to 4), hierarchical to whom the rule notifies.",
        labels: ["type", "to"])
    public static let timerLateness = MetricDefinition(
        "slad_timer_lateness_seconds", .histogram,
        "How long after its due instant the timer emitted a threshold record.")
    public static let submitEvents = MetricDefinition(
        "slad_submit_events_total", .counter, "Events accepted through Submit and committed.")
    public static let submitRefused = MetricDefinition(
        "slad_submit_refused_total", .counter, "Submit batches refused (nothing of the batch applied), by reason.",
        labels: ["error"])
    public static let commitDuration = MetricDefinition(
        "slad_commit_duration_seconds", .histogram, "Time one group commit to the state took, fsync included.")
    public static let commitBatchEvents = MetricDefinition(
        "slad_commit_batch_events", .histogram, "Events one group commit made durable.")
    public static let reloadTimestamp = MetricDefinition(
        "slad_config_last_reload_success_timestamp_seconds", .gauge,
        "When the configuration was last loaded or reloaded successfully, in seconds since 1970.")
    public static let reloadSuccessful = MetricDefinition(
        "slad_config_last_reload_successful", .gauge, "Whether the last configuration reload succeeded (1) or not (0).")
    public static let journalRecords = MetricDefinition(
        "slad_journal_records_total", .counter,
        "Entries sent to the journal: written, dropped (journald fell behind) or failed (refused).",
        labels: ["result"])
    public static let varlinkConnections = MetricDefinition(
        "slad_varlink_connections", .gauge, "Open connections to the control socket.")
    public static let residentMemory = MetricDefinition(
        "process_resident_memory_bytes", .gauge, "Resident memory size in bytes.")
    public static let startTime = MetricDefinition(
        "process_start_time_seconds", .gauge, "Start time of the process since 1970 in seconds.")
    public static let cpuSeconds = MetricDefinition(
        "process_cpu_seconds_total", .counter, "Total user and system CPU time spent in seconds.")
    public static let openFileDescriptors = MetricDefinition(
        "process_open_fds", .gauge, "Number of open file descriptors.")

    /// In the order the README's table lists them.
    public static let all: [MetricDefinition] = [
        openTickets, breachedOpenTickets, records, breaches, escalations, timerLateness, submitEvents, submitRefused,
        commitDuration, commitBatchEvents, reloadTimestamp, reloadSuccessful, journalRecords, varlinkConnections,
        residentMemory, startTime, cpuSeconds, openFileDescriptors,
    ]

    /// Help text by family name, for the exposition.
    static let helpByName: [String: String] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0.help) })
}
