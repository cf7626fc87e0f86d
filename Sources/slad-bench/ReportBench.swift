import Foundation
import SLACore
import SLADaemon
import SLAReport
import SLAStore
import SLATestKit

/// `--only report`: the service level report over the desk mix (see ``Bench/engineThroughput(_:)``),
/// offline beside the engine alone, and from a state holding the mix's outcomes.
enum ReportBench {
    static func run(
        configuration: Configuration, events: [(Instant, TicketEvent)], tickets: Int, log: (String) -> Void
    ) throws -> [Figure] {
        let calendar = ReportCalendar(zone: .utc)
        let options = ReportOptions(since: "2026-03-01", until: "2026-05-01", by: "month")
        let request = try options.request(calendar: calendar, first: nil, last: nil)
        let horizon = Bench.deskStart + Bench.deskSpan + 30 * 86_400
        let clock = ContinuousClock()

        // The engine alone, as `slad replay` runs it (without its JSON).
        var began = clock.now
        var machine = SLAMachine(configuration: configuration)
        var records: [TimelineRecord] = []
        for (instant, event) in events {
            try? machine.apply(event, at: instant, records: &records)
            records.removeAll(keepingCapacity: true)
        }
        machine.fire(through: horizon, records: &records)
        let engineSeconds = (clock.now - began).seconds
        machine = SLAMachine(configuration: configuration)

        // The same events through the feed and two folds (the totals and per priority), keeping the
        // facts aside for the state below.
        let rssBefore = residentBytes()
        var feed = OutcomeFeed(configuration: configuration)
        var grouped = request
        grouped.group = [.priority]
        var folds = [
            ReportFold(request: request, configuration: configuration),
            ReportFold(request: grouped, configuration: configuration),
        ]
        var factCount = 0
        began = clock.now
        for (instant, event) in events {
            try? feed.apply(event, at: instant) { fact in
                factCount += 1
                for i in folds.indices { folds[i].add(fact) }
            }
        }
        feed.finish(through: horizon) { fact in
            factCount += 1
            for i in folds.indices { folds[i].add(fact) }
        }
        let reports = folds.indices.map { folds[$0].finish() }
        let offlineSeconds = (clock.now - began).seconds
        let rssGrowth = residentBytes() - rssBefore
        blackHole(Int64(reports[0].json().utf8.count))

        // A state with the outcomes, written in commits of 10,000 as a day of the daemon would have.
        let directory = try makeTemporaryDirectory(prefix: "slad-bench-report")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StateStore(directory: directory)
        var pending: [StoredOutcome] = []
        var feedAgain = OutcomeFeed(configuration: configuration)
        let writeStarted = clock.now
        func add(_ fact: ReportFact) {
            pending.append(StoredOutcome(fact))
            if pending.count == 10_000 {
                try? store.commit([CommitUnit(outcomes: pending)])
                pending.removeAll(keepingCapacity: true)
            }
        }
        for (instant, event) in events { try? feedAgain.apply(event, at: instant, emit: add) }
        feedAgain.finish(through: horizon, emit: add)
        try store.commit([CommitUnit(outcomes: pending)])
        log(
            "report: \(tickets) tickets, \(events.count) events, \(factCount) outcomes; stored in "
                + "\((clock.now - writeStarted).seconds) s")

        var storeSeconds: [Double] = []
        var text = ""
        for _ in 0..<3 {
            let started = clock.now
            text = try EngineHost.report(options, zone: .utc, format: .json, configuration: configuration, store: store)
                .get()
            storeSeconds.append((clock.now - started).seconds)
        }
        try store.close()
        precondition(text == reports[0].json(), "the report from the state is the offline one")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return [
            Figure(
                name: "report offline (engine, outcomes, two folds)",
                value: Double(events.count) / offlineSeconds, unit: "events/s"),
            Figure(
                name: "  the engine alone on the same events", value: Double(events.count) / engineSeconds,
                unit: "events/s"),
            Figure(name: "  resident growth while the report folds", value: Double(rssGrowth) / 1_048_576, unit: "MiB"),
            Figure(name: "  peak resident set of slad-bench", value: Double(usage.ru_maxrss) / 1024, unit: "MiB"),
            Figure(
                name: "report of the mix's month from the state", value: median(storeSeconds),
                unit: "s", target: 1, higherIsBetter: false),
        ]
    }
}
