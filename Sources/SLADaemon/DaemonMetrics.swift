import Foundation
import SLAConfig
import SLACore
import SLAHTTP
import SLAMetrics
import SLAStore
import Synchronization

/// What the engine host reports as it works, for the metrics: each a quick call on the thread that
/// has the fact at hand (the engine's queue, the store's writer), never a hop of its own.
public struct HostObserver: Sendable {
    /// A threshold record the timer emitted this many seconds after its due instant (engine's queue).
    public var timerLateness: @Sendable (Double) -> Void
    /// What became of a `Submit` batch (engine's queue or writer thread).
    public var submitted: @Sendable (SubmitOutcome) -> Void
    /// A transaction of these units was committed in this many seconds (writer thread); nil seconds:
    /// recovery's own commit, counted but not timed.
    public var committed: @Sendable (Double?, [CommitUnit]) -> Void

    public init(
        timerLateness: @escaping @Sendable (Double) -> Void, submitted: @escaping @Sendable (SubmitOutcome) -> Void,
        committed: @escaping @Sendable (Double?, [CommitUnit]) -> Void
    ) {
        self.timerLateness = timerLateness
        self.submitted = submitted
        self.committed = committed
    }
}

/// Where the daemon is in its life, for `/healthz`: 200 once ready, 503 while recovering or stopping.
public final class DaemonHealth: Sendable {
    private enum Phase { case recovering, ready, stopping }
    private let phase = Mutex(Phase.recovering)
    private let progress: RecoveryProgress?

    public init(progress: RecoveryProgress? = nil) {
        self.progress = progress
    }

    public func ready() { phase.withLock { $0 = .ready } }
    public func stopping() { phase.withLock { $0 = .stopping } }

    /// The status code and its one-line reason.
    public var report: (status: Int, reason: String) {
        switch phase.withLock({ $0 }) {
        case .ready: (200, "ready")
        case .recovering:
            (503, progress.map { "recovering: \($0.count) logged entries applied so far" } ?? "recovering the state")
        case .stopping: (503, "stopping: committing what was accepted")
        }
    }
}

/// slad's metrics as the daemon keeps them: counted from the records and outcomes the host already
/// hands on (so the engine's hot path counts nothing), and read from the engine and `/proc` when
/// scraped.
public final class DaemonMetrics: Sendable {
    /// The longest a scrape waits for the engine's queue (a huge batch, a stall): then the last
    /// counts are served, so a scraper gets an answer rather than a timeout.
    public static let censusTimeout: Duration = .seconds(2)
    /// A scrape waits for a new count only when the last one took less than this (some hundred
    /// thousand tickets). Past it (a million tickets take 10 to 20 ms) the scrape gets the last count
    /// at once, and the count it started serves the next scrape: /metrics stays within its 10 ms.
    public static let quickCensus: Duration = .milliseconds(2)
    /// How long after the scrape that asked for it a slow pass starts.
    static let slowCensusDelay: Duration = .milliseconds(50)
    /// Counts younger than this are served again rather than counted anew: however many scrapers
    /// come, the engine spends at most one pass over its tickets a second on them.
    public static let censusMaxAge: Duration = .seconds(1)

    public let metrics = SladMetrics()
    private let sources = Mutex(Sources())
    private let cache = Mutex(CensusCache())

    private struct Sources {
        var host: EngineHost?
        var journal: (@Sendable () -> SladMetrics.JournalCounts)?
        var varlinkConnections: (@Sendable () -> Int)?
    }

    private struct CensusCache {
        var last: (census: TicketCensus, taken: ContinuousClock.Instant, took: Duration)?
        var inFlight: Task<TicketCensus, Never>?
    }

    public init() {
        metrics.prepare(refusals: Self.refusalReasons)
    }

    /// Where the values read when scraped come from; each may be set once it exists.
    public func attach(
        host: EngineHost? = nil, journal: (@Sendable () -> SladMetrics.JournalCounts)? = nil,
        varlinkConnections: (@Sendable () -> Int)? = nil
    ) {
        sources.withLock { sources in
            if let host { sources.host = host }
            if let journal { sources.journal = journal }
            if let varlinkConnections { sources.varlinkConnections = varlinkConnections }
        }
    }

    /// The observer to give the engine host.
    public var observer: HostObserver {
        HostObserver(
            timerLateness: { [metrics] in metrics.observeTimerLateness(seconds: $0) },
            submitted: { [metrics] outcome in
                switch outcome {
                case .accepted(let count): metrics.countSubmitted(events: count)
                case .refused(_, let error): metrics.countRefused(error: Self.reason(error))
                case .invalid: metrics.countRefused(error: "event_ahead_of_clock")
                case .storageUnavailable: metrics.countRefused(error: "storage_unavailable")
                }
            },
            committed: { [self] seconds, units in count(units, seconds: seconds) })
    }

    /// The reasons `slad_submit_refused_total{error}` names.
    static let refusalReasons = [
        "unknown_ticket", "ticket_already_open", "unknown_priority", "unknown_impact_urgency", "no_agreement",
        "invalid_line", "invalid_transition", "event_ahead_of_clock", "storage_unavailable",
    ]

    static func reason(_ error: EngineError) -> String {
        switch error {
        case .unknownTicket: "unknown_ticket"
        case .ticketAlreadyOpen: "ticket_already_open"
        case .unknownPriority: "unknown_priority"
        case .unknownImpactUrgency: "unknown_impact_urgency"
        case .noAgreement: "no_agreement"
        case .invalidLine: "invalid_line"
        case .invalidTransition: "invalid_transition"
        }
    }

    /// Counts one committed transaction's records (by kind and clock, breaches by agreement,
    /// escalations by target) and its duration and size.
    func count(_ units: [CommitUnit], seconds: Double?) {
        var events = 0
        for unit in units {
            for entry in unit.log {
                if case .event = entry { events += 1 }
            }
            for stored in unit.records { count(stored.record) }
        }
        if let seconds { metrics.observeCommit(seconds: seconds, events: events) }
    }

    private func count(_ record: TimelineRecord) {
        func clock(_ id: ClockID) -> SladMetrics.ClockLabel {
            switch id {
            case .response: .response
            case .resolution: .resolution
            case .line: .line
            }
        }
        switch record.kind {
        case .due(let id, _, _): metrics.countRecord(.due, clock: clock(id))
        case .warning(let id, _, _): metrics.countRecord(.warning, clock: clock(id))
        case .breach(let id, let agreement):
            metrics.countRecord(.breach, clock: clock(id))
            metrics.countBreach(agreement: agreement, clock: clock(id))
        case .met(let id, _): metrics.countRecord(.met, clock: clock(id))
        case .functionalEscalation(_, let to, _):
            // A functional escalation moves the ticket between lines: it is the line clock's matter.
            metrics.countRecord(.escalate, clock: .line)
            metrics.countEscalation(type: "functional", to: String(to))
        case .hierarchicalEscalation(let to, let id, _):
            metrics.countRecord(.escalate, clock: clock(id))
            metrics.countEscalation(type: "hierarchical", to: to)
        }
    }

    /// Makes the breach and escalation series of `configuration` exist at zero (at start and after
    /// each reload), so that alerts on `increase()` see the first one.
    public func prepare(_ configuration: Configuration) {
        var breaches: [(agreement: String, clock: SladMetrics.ClockLabel)] = []
        for agreement in configuration.agreements {
            switch agreement.kind {
            case .sla: breaches += [(agreement.name, .response), (agreement.name, .resolution)]
            case .ola, .uc: breaches.append((agreement.name, .line))
            }
        }
        var escalations: [(type: String, to: String)] = (2...4).map { ("functional", String($0)) }
        for target in Set(configuration.hierarchicalRules.map(\.notify)).sorted() {
            escalations.append(("hierarchical", target))
        }
        metrics.prepare(breaches: breaches, escalations: escalations)
    }

    // MARK: - Scraping

    /// Everything, read now, in `format`.
    public func scrape(_ format: ExpositionFormat) async -> [UInt8] {
        let (host, journal, varlink) = sources.withLock { ($0.host, $0.journal, $0.varlinkConnections) }
        if let host, let census = await census(of: host) {
            var counts: [SladMetrics.TicketCount] = []
            for line in 1...4 {
                for (index, level) in census.levels.enumerated() {
                    counts.append(
                        .init(
                            line: line, priority: level, open: census.open(line: line, priority: index),
                            breached: census.breached(line: line, priority: index)))
                }
            }
            metrics.setTickets(counts)
        }
        if let sample = ProcessSample.current() { metrics.setProcess(sample) }
        if let journal { metrics.setJournal(journal()) }
        if let varlink { metrics.setVarlinkConnections(varlink()) }
        return metrics.exposition(format)
    }

    /// The engine's counts: the last ones while young enough, else one pass on the engine's queue
    /// shared by every scrape that asks meanwhile; the last ones when the queue does not answer in time,
    /// or at once when the last pass was slow (the new pass then serves the next scrape).
    private func census(of host: EngineHost) async -> TicketCensus? {
        let now = ContinuousClock.now
        let (fresh, task, stale) = cache.withLock { cache -> (TicketCensus?, Task<TicketCensus, Never>?, TicketCensus?) in
            if let last = cache.last, now - last.taken < Self.censusMaxAge { return (last.census, nil, nil) }
            let slow = cache.last.map { $0.took >= Self.quickCensus } ?? false
            if cache.inFlight == nil {
                cache.inFlight = Task { [self] in
                    // A slow pass starts once this scrape's answer is out, not to compete with it for a core.
                    if slow { try? await Task.sleep(for: Self.slowCensusDelay) }
                    let began = ContinuousClock.now
                    let census = await host.census()
                    self.cache.withLock { cache in
                        cache.last = (census, ContinuousClock.now, ContinuousClock.now - began)
                        cache.inFlight = nil
                    }
                    return census
                }
            }
            if slow { return (nil, nil, cache.last?.census) }
            return (nil, cache.inFlight, cache.last?.census)
        }
        if let fresh { return fresh }
        guard let task else { return stale }
        return await firstOf(task, orAfter: Self.censusTimeout) ?? stale
    }
}

/// The task's value, or nil when `timeout` passes first (the task goes on and its value is dropped).
func firstOf<T: Sendable>(_ task: Task<T, Never>, orAfter timeout: Duration) async -> T? {
    await withCheckedContinuation { (continuation: CheckedContinuation<T?, Never>) in
        let answer = FirstAnswer(continuation)
        Task { answer.give(await task.value) }
        Task {
            try? await Task.sleep(for: timeout)
            answer.give(nil)
        }
    }
}

/// Resumes a continuation with the first value given; later ones are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T?, Never>?>

    init(_ continuation: CheckedContinuation<T?, Never>) {
        self.continuation = Mutex(continuation)
    }

    func give(_ value: T?) {
        continuation.withLock { waiting in
            waiting?.resume(returning: value)
            waiting = nil
        }
    }
}

/// The daemon's answers on the HTTP listener: `/metrics` and `/healthz`.
public enum DaemonHTTP {
    public static func handler(metrics: DaemonMetrics, health: DaemonHealth) -> HTTPListener.Handler {
        { request in
            let known = ["/metrics", "/healthz"]
            guard known.contains(request.path) else {
                return .text(404, "not found: slad serves /metrics and /healthz")
            }
            guard request.method == "GET" || request.method == "HEAD" else {
                return .text(405, "\(request.path) answers GET and HEAD only", headers: [("Allow", "GET, HEAD")])
            }
            if request.path == "/healthz" {
                let (status, reason) = health.report
                return .text(status, reason)
            }
            let format = ExpositionFormat.negotiate(accept: request.accept)
            return HTTPAnswer(status: 200, contentType: format.contentType, body: await metrics.scrape(format))
        }
    }
}

extension DaemonMetrics {
    /// The configuration was loaded at start: the reload gauges say so, and its series exist.
    public func noteLoaded(configPath: String) {
        metrics.noteReload(successful: true, at: Date().timeIntervalSince1970)
        if case .success(let configuration) = ConfigLoader.load(path: configPath) { prepare(configuration) }
    }

    /// A reload's outcome: an unchanged file counts as a successful reload.
    public func noteReload(_ outcome: ReloadOutcome, configPath: String) {
        switch outcome {
        case .applied:
            metrics.noteReload(successful: true, at: Date().timeIntervalSince1970)
            if case .success(let configuration) = ConfigLoader.load(path: configPath) { prepare(configuration) }
        case .unchanged:
            metrics.noteReload(successful: true, at: Date().timeIntervalSince1970)
        case .refused:
            metrics.noteReload(successful: false, at: Date().timeIntervalSince1970)
        }
    }
}
