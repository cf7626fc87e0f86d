import Foundation
import SLAControl
import SLACore
import SLAJSON

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's figures: the release `slad` beside this binary, driven through its real socket.
///
/// Every figure counts what a service desk would meet: acknowledged (committed, fsync'd) events,
/// records as a `Watch` client receives them, a restart until the socket answers again.
enum DaemonBench {
    /// Agreements in seconds on a 24x7 calendar, so thresholds fire while the benchmark watches:
    /// P1 breaches its response at once (the overdue tickets `ListTickets` sorts), P2's response
    /// thresholds fire 20 to 40 s after opening (the timer figures), P3 and P4 stay quiet.
    static let config = """
        calendars:
          always: {timezone: UTC}
        priorities:
          levels: [P1, P2, P3, P4]
          matrix:
            high:   {high: P1, medium: P2, low: P3}
            medium: {high: P2, medium: P3, low: P4}
            low:    {high: P3, medium: P4, low: P4}
        agreements:
          - name: bench
            kind: sla
            calendar: always
            targets:
              P1: {response: 1s, resolution: 100h}
              P2: {response: 40s, resolution: 100h}
              P3: {response: 50h, resolution: 100h}
              P4: {response: 50h, resolution: 100h}
            warn: [50%, 75%, 90%]
          - {name: l1, kind: ola, calendar: always, targets: {P1: {resolution: 20h}, P2: {resolution: 20h}, P3: {resolution: 20h}, P4: {resolution: 20h}}}
          - {name: l2, kind: ola, calendar: always, targets: {P1: {resolution: 20h}, P2: {resolution: 20h}, P3: {resolution: 20h}, P4: {resolution: 20h}}}
          - {name: l3, kind: ola, calendar: always, targets: {P1: {resolution: 20h}, P2: {resolution: 20h}, P3: {resolution: 20h}, P4: {resolution: 20h}}}
          - {name: l4, kind: uc, calendar: always, targets: {P1: {resolution: 20h}, P2: {resolution: 20h}, P3: {resolution: 20h}, P4: {resolution: 20h}}}
        lines:
          - {id: 1, name: Service Desk, agreement: l1}
          - {id: 2, name: Incident Management, agreement: l2}
          - {id: 3, name: Development and Architecture, agreement: l3}
          - {id: 4, name: Vendor, agreement: l4}
        """

    static func run(parts: Set<String>, tickets: Int, log: (String) -> Void) throws -> [Figure] {
        var figures: [Figure] = []
        let httpPort = try MetricsScraper.freePort()
        let daemon = try BenchDaemon(
            configText: parts.contains("metrics") ? config + "\nhttp: {listen: [\"127.0.0.1:\(httpPort)\"]}\n" : config)
        defer { daemon.kill() }
        log("slad-bench: slad pid \(daemon.pid) on \(daemon.directory)")

        if parts.contains("ingest") {
            // What one call costs the machine before the engine or the store sees it: the ceiling of
            // one-event Submits from clients that each wait for their reply.
            let floor = try roundTrips(daemon, clients: 64, calls: 64_000)
            figures.append(
                Figure(name: "GetInfo round trips, 64 clients (no engine/store)", value: floor, unit: "calls/s"))
            for batch in [1, ingestTargetBatch, 16] {
                let result = try ingest(daemon, clients: 64, events: batch == 1 ? 100_000 : 400_000, batch: batch)
                let targeted = batch == ingestTargetBatch
                figures.append(
                    Figure(
                        name: "durable ingest, 64 clients, \(batch) event(s) per Submit", value: result.rate,
                        unit: "events/s", target: targeted ? 50_000 : nil))
                figures.append(
                    Figure(
                        name: "  reply latency p50, \(batch) per Submit", value: result.p50 * 1000, unit: "ms", target: nil,
                        higherIsBetter: false))
                figures.append(
                    Figure(
                        name: "  reply latency p99, \(batch) per Submit", value: result.p99 * 1000, unit: "ms",
                        target: targeted ? 20 : nil, higherIsBetter: false))
                log("slad-bench: ingest batch \(batch): \(Int(result.rate)) events/s")
            }
            // One event per call again, from clients that pipeline (Varlink lets them): each call is
            // still acknowledged on its own once committed.
            let depth = 8
            let piped = try ingest(daemon, clients: 64, events: 200_000, batch: 1, inFlight: depth)
            figures.append(
                Figure(
                    name: "ingest, 64 clients x \(depth) pipelined, 1 per Submit", value: piped.rate,
                    unit: "events/s", target: nil))
            figures.append(
                Figure(
                    name: "  reply latency p99, \(depth) pipelined", value: piped.p99 * 1000, unit: "ms", target: nil,
                    higherIsBetter: false))
            log("slad-bench: ingest pipelined: \(Int(piped.rate)) events/s")
        }
        if parts.contains("watchers") { figures += try WatcherBench.run(daemon, watchers: 100, log: log) }
        guard !parts.isDisjoint(with: ["timers", "list", "restart", "rss", "metrics", "closing"]) else { return figures }

        // A million open tickets: a tenth P1 (overdue at once), the rest P3 (quiet).
        let start = Date()
        try load(daemon, tickets: tickets) { $0 % 10 == 0 ? "P1" : "P3" }
        log("slad-bench: \(tickets) tickets opened in \(String(format: "%.1f", -start.timeIntervalSinceNow)) s")
        let status = try daemon.client().call("io.slad.Sla.Status")
        log("slad-bench: status \(status)")

        if parts.contains("rss") {
            figures.append(
                Figure(
                    name: "slad resident memory, \(tickets) open tickets", value: Double(daemon.residentBytes()) / 1048576,
                    unit: "MiB", target: 1024, higherIsBetter: false))
        }
        if parts.contains("list") {
            let latencies = try listLatencies(daemon, calls: 300)
            figures.append(
                Figure(
                    name: "ListTickets 100 most overdue of \(tickets), p50", value: percentile(latencies, 0.5) * 1000,
                    unit: "ms", target: nil, higherIsBetter: false))
            figures.append(
                Figure(
                    name: "ListTickets 100 most overdue of \(tickets), p99", value: percentile(latencies, 0.99) * 1000,
                    unit: "ms", target: 10, higherIsBetter: false))
        }
        if parts.contains("metrics") {
            let scraper = try MetricsScraper(port: httpPort)
            let body = try scraper.scrape()
            guard body.contains("slad_open_tickets{line=\"1\",priority=\"P3\"}") else {
                throw BenchError("/metrics has no open tickets: \(body.prefix(300))")
            }
            // Each of these starts a new count (counts are reused for 1 s) and waits at most censusWait for it.
            var fresh: [Double] = []
            for _ in 0..<60 {
                usleep(1_050_000)
                fresh.append(try scraper.timed())
            }
            // Back to back, as many scrapers at once would: mostly the reused counts.
            var packed: [Double] = []
            for _ in 0..<300 { packed.append(try scraper.timed()) }
            for (name, values) in [("counted anew, 60 scrapes 1.05 s apart", fresh), ("back to back, 300 scrapes", packed)] {
                figures.append(
                    Figure(
                        name: "GET /metrics, \(tickets) open, \(name), p50", value: percentile(values, 0.5) * 1000,
                        unit: "ms", target: nil, higherIsBetter: false))
                figures.append(
                    Figure(
                        name: "GET /metrics, \(tickets) open, \(name), p99", value: percentile(values, 0.99) * 1000,
                        unit: "ms", target: 10, higherIsBetter: false))
            }
        }
        if parts.contains("timers") {
            let lateness = try timerLateness(daemon, tickets: 20_000, log: log)
            let status = try daemon.client().call("io.slad.Sla.Status")
            guard let emitted = status["timer_lateness"],
                let p50 = emitted["p50_ms"]?.double, let p99 = emitted["p99_ms"]?.double
            else { throw BenchError("Status has no timer_lateness: \(status)") }
            figures.append(
                Figure(
                    name: "threshold records emitted after due, p50", value: p50,
                    unit: "ms", target: 1, higherIsBetter: false))
            figures.append(
                Figure(
                    name: "threshold records emitted after due, p99", value: p99, unit: "ms", target: 10,
                    higherIsBetter: false))
            figures.append(
                Figure(
                    name: "  received by a Watch client after due, p50", value: percentile(lateness, 0.5) * 1000,
                    unit: "ms", target: nil, higherIsBetter: false))
            figures.append(
                Figure(
                    name: "  received by a Watch client after due, p99", value: percentile(lateness, 0.99) * 1000,
                    unit: "ms", target: nil, higherIsBetter: false))
        }
        if parts.contains("restart") {
            let seconds = try daemon.restart()
            figures.append(
                Figure(
                    name: "restart with \(tickets) open tickets until serving", value: seconds, unit: "s", target: 3,
                    higherIsBetter: false))
        }
        if parts.contains("closing") {
            figures += try closing(daemon, tickets: tickets, log: log)
        }
        return figures
    }

    /// The Submit size the ingest targets are held to: a helpdesk connector forwards what its helpdesk
    /// produced since its last reply, and at 50,000 events/s over 64 connectors that is several events
    /// per call. One event per Submit is measured too; it is bound by the round trip (see README).
    static let ingestTargetBatch = 4

    /// `clients` threads, each calling `org.varlink.service.GetInfo` `calls / clients` times, waiting for
    /// each reply: calls per second.
    static func roundTrips(_ daemon: BenchDaemon, clients: Int, calls: Int) throws -> Double {
        let message = Array(#"{"method":"org.varlink.service.GetInfo"}"#.utf8) + [0]
        let perClient = calls / clients
        let begin = monotonic()
        let completed = onThreads(clients, socket: daemon.socketPath) { _, connection in
            for _ in 0..<perClient {
                guard try connection.call(message).starts(with: Array(#"{"parameters":{"#.utf8)) else { return [] }
            }
            return [Double](repeating: 0, count: perClient)
        }
        guard completed.count == perClient * clients else { throw BenchError("some GetInfo calls failed") }
        return Double(completed.count) / (monotonic() - begin)
    }

    /// `clients` threads, each submitting its share of `events` in Submits of `batch`, with up to
    /// `inFlight` calls sent before their replies (1: each call waits for the one before).
    ///
    /// Each reply is checked to accept the whole batch. The clients write prepared call text on plain
    /// sockets: they share the machine with slad, and a client that spends less on JSON leaves more of
    /// it to what is measured.
    static func ingest(_ daemon: BenchDaemon, clients: Int, events: Int, batch: Int, inFlight: Int = 1) throws
        -> (rate: Double, p50: Double, p99: Double)
    {
        let perClient = events / clients / batch
        let prefix = inFlight == 1 ? "I\(batch)" : "P\(inFlight)"
        let accepted = Array(#"{"parameters":{"accepted":\#(batch)}}"#.utf8) + [0]
        let begin = monotonic()
        let latencies = onThreads(clients, socket: daemon.socketPath) { client, connection in
            func message(_ call: Int) -> [UInt8] {
                var text = #"{"method":"io.slad.Sla.Submit","parameters":{"events":["#
                for i in 0..<batch {
                    if i > 0 { text += "," }
                    text += #"{"ticket":"\#(prefix)-\#(client)-\#(call)-\#(i)","event":"open","priority":"P3"}"#
                }
                return Array((text + "]}}").utf8) + [0]
            }
            var mine: [Double] = []
            mine.reserveCapacity(perClient)
            var sent: [Double] = []
            sent.reserveCapacity(perClient)
            while mine.count < perClient {
                while sent.count < perClient, sent.count - mine.count < inFlight {
                    try connection.send(message(sent.count))
                    sent.append(monotonic())
                }
                guard try connection.receive() == accepted else { return mine }
                mine.append(monotonic() - sent[mine.count])
            }
            return mine
        }
        let elapsed = monotonic() - begin
        guard latencies.count == perClient * clients else { throw BenchError("some Submit calls failed") }
        return (Double(latencies.count * batch) / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99))
    }

    /// Runs `body` on `count` threads at once, each with its own connection, and returns everything
    /// they returned; a thread that could not connect or whose call failed returns less.
    static func onThreads(
        _ count: Int, socket: String, _ body: @escaping @Sendable (Int, RawVarlinkConnection) throws -> [Double]
    ) -> [Double] {
        let group = DispatchGroup()
        let collected = Collected()
        for index in 0..<count {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let connection = try? RawVarlinkConnection(socketPath: socket),
                    let values = try? body(index, connection)
                else { return }
                collected.add(values)
            }
        }
        group.wait()
        return collected.values
    }

    /// Closes the `tickets` open tickets: slad's resident memory before, right after, and once the
    /// timer's next wakes had the chance to hand the freed memory back (35 s: it wakes every 30 s).
    static func closing(_ daemon: BenchDaemon, tickets: Int, log: (String) -> Void) throws -> [Figure] {
        let before = Double(daemon.residentBytes()) / 1048576
        try submitToAll(daemon, tickets: tickets) { ["ticket": .string("T-\($0)"), "event": "close"] }
        let closed = Double(daemon.residentBytes()) / 1048576
        log("slad-bench: \(tickets) tickets closed; resident \(Int(before)) MiB before, \(Int(closed)) MiB right after")
        sleep(35)
        let returned = Double(daemon.residentBytes()) / 1048576
        return [
            Figure(name: "slad resident memory, \(tickets) open", value: before, unit: "MiB", higherIsBetter: false),
            Figure(name: "  all \(tickets) closed, at once", value: closed, unit: "MiB", higherIsBetter: false),
            Figure(name: "  all \(tickets) closed, 35 s later", value: returned, unit: "MiB", higherIsBetter: false),
        ]
    }

    /// Opens `tickets` tickets in batches of 1,000 from 16 clients.
    static func load(_ daemon: BenchDaemon, tickets: Int, priority: @escaping @Sendable (Int) -> String) throws {
        try submitToAll(daemon, tickets: tickets) {
            ["ticket": .string("T-\($0)"), "event": "open", "priority": .string(priority($0))]
        }
    }

    /// Submits `event(n)` for each ticket number below `tickets`, in batches of 1,000 from 16 clients.
    static func submitToAll(
        _ daemon: BenchDaemon, tickets: Int, event: @escaping @Sendable (Int) -> JSONValue
    ) throws {
        let clients = 16
        let group = DispatchGroup()
        let failures = Collected()
        let socket = daemon.socketPath
        for client in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                guard let connection = try? VarlinkClient(socketPath: socket) else {
                    failures.add([1])
                    return
                }
                var n = client
                while n < tickets {
                    var events: [JSONValue] = []
                    while events.count < 1000, n < tickets {
                        events.append(event(n))
                        n += clients
                    }
                    if (try? connection.call("io.slad.Sla.Submit", ["events": .array(events)])) == nil {
                        failures.add([1])
                        return
                    }
                }
            }
        }
        group.wait()
        guard failures.values.isEmpty else { throw BenchError("submitting to \(tickets) tickets failed") }
    }

    static func listLatencies(_ daemon: BenchDaemon, calls: Int) throws -> [Double] {
        let client = try daemon.client()
        var latencies: [Double] = []
        for _ in 0..<calls {
            let sent = monotonic()
            let reply = try client.call("io.slad.Sla.ListTickets", ["filter": ["breached": true], "limit": 100])
            latencies.append(monotonic() - sent)
            guard reply["tickets"]?.array?.count == 100 else { throw BenchError("ListTickets: \(reply)") }
        }
        return latencies
    }

    /// Opens P2 tickets over ten seconds and measures, at a Watch client, how long after its due
    /// instant each of their warnings and breaches arrives.
    static func timerLateness(_ daemon: BenchDaemon, tickets: Int, log: (String) -> Void) throws -> [Double] {
        let lateness = Collected()
        let watching = Collected()
        let socket = daemon.socketPath
        let expected = tickets * 4
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { done.signal() }
            guard let watcher = try? VarlinkClient(socketPath: socket) else { return }
            var seen = 0
            var mine: [Double] = []
            try? watcher.stream("io.slad.Sla.Watch") { reply in
                let arrived = realtime()
                if watching.values.isEmpty { watching.add([arrived]) }
                guard let record = reply["record"], record["ticket"]?.string?.hasPrefix("W-") == true,
                    let kind = record["kind"]?.string, kind == "warning" || kind == "breach",
                    let at = record["at"]?.string.flatMap(Timestamp.parse)
                else { return true }
                mine.append(arrived - Double(at.secondsSince1970))
                seen += 1
                if seen >= expected {
                    lateness.add(mine)
                    return false
                }
                return true
            }
            if seen < expected { lateness.add(mine) }
        }
        // The first record proves the watch is registered.
        let client = try daemon.client()
        var probe = 0
        while watching.values.isEmpty {
            _ = try client.call("io.slad.Sla.Submit", ["events": [["ticket": .string("probe-\(probe)"), "event": "open", "priority": "P3"]]])
            probe += 1
            usleep(20_000)
        }
        let perSecond = tickets / 10
        for second in 0..<10 {
            let begin = monotonic()
            var events: [JSONValue] = []
            for i in 0..<perSecond {
                events.append(["ticket": .string("W-\(second)-\(i)"), "event": "open", "priority": "P2"])
            }
            for chunk in stride(from: 0, to: events.count, by: 500) {
                _ = try client.call(
                    "io.slad.Sla.Submit", ["events": .array(Array(events[chunk..<min(chunk + 500, events.count)]))])
            }
            let spent = monotonic() - begin
            if spent < 1 { usleep(UInt32((1 - spent) * 1_000_000)) }
        }
        log("slad-bench: \(tickets) P2 tickets opened; waiting for their thresholds")
        guard done.wait(timeout: .now() + 120) == .success else { throw BenchError("watch did not see every threshold") }
        return lateness.values
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p + 0.5))]
    }
}

func monotonic() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

func realtime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Values gathered from several threads.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Double] = []
    func add(_ values: [Double]) { lock.withLock { collected.append(contentsOf: values) } }
    var values: [Double] { lock.withLock { collected } }
}

/// The release slad beside this binary, on a temporary state folder and socket.
final class BenchDaemon {
    let directory: String
    let socketPath: String
    private var process: Process
    private let arguments: [String]
    private let executable: URL
    private let keep: Bool

    var pid: Int32 { process.processIdentifier }

    init(configText: String) throws {
        // SLAD_BENCH_DIR keeps the state for a look afterwards (a profile of the restart, say).
        keep = ProcessInfo.processInfo.environment["SLAD_BENCH_DIR"] != nil
        directory = ProcessInfo.processInfo.environment["SLAD_BENCH_DIR"] ?? "/tmp/slad-bench-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try configText.write(toFile: directory + "/slad.yaml", atomically: true, encoding: .utf8)
        socketPath = directory + "/io.slad.Sla"
        executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("slad")
        arguments = ["--config", directory + "/slad.yaml", "--state", directory + "/state", "--socket", socketPath]
        process = Process()
        _ = try start()
    }

    /// Starts slad and returns the seconds until its socket answered.
    private func start() throws -> Double {
        process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: directory + "/slad.log") {
            _ = FileManager.default.createFile(atPath: directory + "/slad.log", contents: nil)
        }
        let log = FileHandle(forWritingAtPath: directory + "/slad.log")
        log?.seekToEndOfFile()
        process.standardError = log
        let begin = monotonic()
        try process.run()
        while monotonic() - begin < 120 {
            if let client = try? VarlinkClient(socketPath: socketPath), (try? client.call("io.slad.Sla.Status")) != nil {
                return monotonic() - begin
            }
            guard process.isRunning else { throw BenchError("slad exited with \(process.terminationStatus)") }
            usleep(2_000)
        }
        throw BenchError("slad did not answer within 120 s")
    }

    /// SIGTERM, wait, start again: the seconds from the new process's start until it serves.
    func restart() throws -> Double {
        Glibc.kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        let seconds = try start()
        if let log = try? String(contentsOfFile: directory + "/slad.log", encoding: .utf8),
            let line = log.split(separator: "\n").last(where: { $0.contains("recovered") })
        {
            FileHandle.standardError.write(Data("slad-bench: \(line)\n".utf8))
        }
        return seconds
    }

    /// SIGKILL, and waits until the process is gone.
    func crash() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Starts slad again after ``crash()``: the seconds until its socket answered.
    func startAgain() throws -> Double {
        try start()
    }

    func client() throws -> VarlinkClient { try VarlinkClient(socketPath: socketPath) }

    func residentBytes() -> Int { statusBytes("VmRSS:") }

    /// The most slad was resident at any time (VmHWM).
    func peakResidentBytes() -> Int { statusBytes("VmHWM:") }

    private func statusBytes(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kib * 1024
    }

    func kill() {
        if process.isRunning {
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if !keep { try? FileManager.default.removeItem(atPath: directory) }
    }
}

import SLAStore

/// The store alone: one transaction of 64 one-event units (an open and its three due records each),
/// as group commit makes of 64 clients, durable (fsync) every time.
///
/// Tickets are named "S-<client>-<commit>", so a commit's 64 ids fall at 64 scattered places in any
/// index keyed by ticket, as the ids of 64 clients do; "S-<commit>-<client>" kept each commit's ids
/// adjacent and hid what such an index costs.
enum StoreBench {
    static func run(commits: Int) throws -> [Figure] {
        let directory = "/tmp/slad-bench-store-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StateStore(directory: directory)
        let start = Instant(secondsSince1970: 1_790_000_000)
        var latencies: [Double] = []
        let begin = monotonic()
        for commit in 0..<commits {
            let units = (0..<64).map { i -> CommitUnit in
                let ticket = "S-\(i)-\(commit)"
                let event = StoredEvent(
                    at: start, received: start, actor: 0,
                    event: TicketEvent(ticket: ticket, change: .open(priority: .level("P3"), service: nil, customer: nil, line: nil)))
                let records = [ClockID.response, .resolution, .line(1)].map {
                    StoredRecord(record: TimelineRecord(at: start, ticket: ticket, kind: .due($0, agreement: "bench", due: start + 3600)))
                }
                return CommitUnit(log: [.event(event)], records: records, firedThrough: start - 1)
            }
            let sent = monotonic()
            try store.commit(units)
            latencies.append(monotonic() - sent)
        }
        let elapsed = monotonic() - begin
        return [
            Figure(name: "store: 64-event durable commits", value: Double(commits) / elapsed, unit: "commits/s"),
            Figure(name: "  events committed", value: Double(commits * 64) / elapsed, unit: "events/s"),
            Figure(name: "  commit p50", value: DaemonBench.percentile(latencies, 0.5) * 1000, unit: "ms",
                   higherIsBetter: false),
            Figure(name: "  commit p99", value: DaemonBench.percentile(latencies, 0.99) * 1000, unit: "ms",
                   higherIsBetter: false),
        ]
    }
}

/// A blocking Varlink connection that sends call text as it is and returns reply text as it came.
final class RawVarlinkConnection {
    /// The socket, for a caller that polls it.
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 65536)
    /// Bytes read past the last reply returned.
    private var pending: [UInt8] = []

    init(socketPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { path in
            for (index, byte) in socketPath.utf8.prefix(path.count - 1).enumerated() { path[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            throw BenchError("connect \(socketPath): errno \(errno)")
        }
    }

    deinit { close(fd) }

    /// Sends `message` (the call and its NUL) and returns the reply up to and with its NUL.
    func call(_ message: [UInt8]) throws -> [UInt8] {
        try send(message)
        return try receive()
    }

    /// Sends `message` (a call and its NUL) without waiting for a reply.
    func send(_ message: [UInt8]) throws {
        var sent = 0
        while sent < message.count {
            let n = message[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw BenchError("send: errno \(errno)") }
            sent += n
        }
    }

    /// The next reply, up to and with its NUL; several may have come in one read.
    func receive() throws -> [UInt8] {
        while true {
            if let end = pending.firstIndex(of: 0) {
                let reply = Array(pending[...end])
                pending.removeSubrange(...end)
                return reply
            }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw BenchError("recv: \(n == 0 ? "closed" : "errno \(errno)")") }
            pending += buffer[0..<n]
        }
    }
}

/// A scraper on one kept-alive connection: `GET /metrics` and the time until the whole body came.
final class MetricsScraper {
    let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else { throw BenchError("connect to the HTTP listener: errno \(errno)") }
    }

    deinit { close(fd) }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard ok else { throw BenchError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    func timed() throws -> Double {
        let start = monotonic()
        _ = try scrape()
        return monotonic() - start
    }

    /// One scrape's body (Prometheus' Accept: OpenMetrics).
    func scrape() throws -> String {
        let request = Array("GET /metrics HTTP/1.1\r\nHost: bench\r\nAccept: application/openmetrics-text;version=1.0.0\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else {
            throw BenchError("send failed")
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headEnd: Int?
        var length = 0
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            guard n > 0 else { throw BenchError("the HTTP listener closed the connection") }
            data += buffer[0..<n]
            if headEnd == nil, let end = (0..<max(0, data.count - 3)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 && data[$0 + 2] == 13 && data[$0 + 3] == 10 }) {
                headEnd = end + 4
                let head = String(decoding: data[0..<end], as: UTF8.self).lowercased()
                guard let line = head.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
                    let value = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces))
                else { throw BenchError("no Content-Length: \(head)") }
                length = value
            }
            if let headEnd, data.count >= headEnd + length {
                return String(decoding: data[headEnd..<(headEnd + length)], as: UTF8.self)
            }
        }
    }
}
