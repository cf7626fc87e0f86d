import Foundation
import SLAControl
import SLAJSON

#if canImport(Glibc)
import Glibc
#endif

/// `--only crash`: `kill -9` while clients submit, again and again, and what survived.
///
/// Each cycle, `clients` connections submit batches of unique tickets for a random 50 to 250 ms, each
/// keeping what slad acknowledged; then slad is killed with SIGKILL and started again (the restart is
/// timed until its socket answers). Half the batches are `[open P3, respond]` (a batch applied by
/// halves would leave a response clock running), half `[open P1]` (its response breaches after 1 s,
/// often across a kill, so a breach fired before the kill and again after would show twice).
/// After each restart the previous cycle's tickets, a second old at least, are checked and closed:
/// lost is an acknowledged ticket missing or half applied, duplicates a threshold in a timeline more
/// than once. Closing them keeps the open tickets, and so the restarts, the same size throughout.
enum CrashBench {
    static func run(cycles: Int, clients: Int, log: (String) -> Void) throws -> [Figure] {
        let daemon = try BenchDaemon(configText: DaemonBench.config)
        defer { daemon.kill() }
        log("slad-bench: crash cycles on slad pid \(daemon.pid), \(clients) clients")
        var acknowledged = 0
        var lost = 0
        var duplicates = 0
        var restarts: [Double] = []
        var previous: [Batch] = []
        for cycle in 0..<cycles {
            let running = Clients(daemon.socketPath, cycle: cycle, count: clients)
            usleep(UInt32.random(in: 50_000...250_000))
            daemon.crash()
            let batches = running.finish()
            acknowledged += batches.reduce(0) { $0 + $1.events }
            restarts.append(try daemon.startAgain())
            let checked = try check(previous, daemon)
            lost += checked.lost
            duplicates += checked.duplicates
            previous = batches
            if (cycle + 1) % 50 == 0 || cycle + 1 == cycles {
                log(
                    "slad-bench: \(cycle + 1) cycles, \(acknowledged) acknowledged, \(lost) lost, \(duplicates) "
                        + "duplicates, worst restart \(String(format: "%.2f", restarts.max() ?? 0)) s")
            }
        }
        sleep(2)  // the last cycle's P1 breaches come due
        let checked = try check(previous, daemon)
        lost += checked.lost
        duplicates += checked.duplicates
        return [
            Figure(name: "crash: kill -9 cycles", value: Double(cycles), unit: "cycles"),
            Figure(name: "crash: acknowledged events", value: Double(acknowledged), unit: "events"),
            Figure(name: "crash: lost (missing or half applied)", value: Double(lost), unit: "tickets", target: 0,
                   higherIsBetter: false),
            Figure(name: "crash: duplicates (a threshold twice)", value: Double(duplicates), unit: "records", target: 0,
                   higherIsBetter: false),
            Figure(name: "crash: restart until serving, median", value: DaemonBench.percentile(restarts, 0.5), unit: "s",
                   higherIsBetter: false),
            Figure(name: "crash: restart until serving, worst", value: restarts.max() ?? 0, unit: "s", target: 3,
                   higherIsBetter: false),
        ]
    }

    /// One acknowledged batch: its ticket and whether it was the two-event kind.
    struct Batch: Sendable {
        var ticket: String
        var responded: Bool
        var events: Int { responded ? 2 : 1 }
    }

    /// `count` threads submitting batches until ``finish()``, each keeping what slad acknowledged.
    final class Clients: @unchecked Sendable {
        private let group = DispatchGroup()
        private let lock = NSLock()
        private var stopping = false
        private var acknowledged: [Batch] = []

        init(_ socket: String, cycle: Int, count: Int) {
            for client in 0..<count {
                group.enter()
                Thread.detachNewThread { [self] in
                    defer { group.leave() }
                    guard let connection = try? VarlinkClient(socketPath: socket) else { return }
                    var n = 0
                    while !lock.withLock({ stopping }) {
                        let responded = n % 2 == 0
                        let ticket = "X\(cycle)-\(client)-\(n)"
                        n += 1
                        let events: JSONValue =
                            responded
                            ? [["ticket": .string(ticket), "event": "open", "priority": "P3"],
                               ["ticket": .string(ticket), "event": "respond"]]
                            : [["ticket": .string(ticket), "event": "open", "priority": "P1"]]
                        // A call that fails is the kill: the batch may or may not have been committed.
                        guard (try? connection.call("io.slad.Sla.Submit", ["events": events])) != nil else { return }
                        lock.withLock { acknowledged.append(Batch(ticket: ticket, responded: responded)) }
                    }
                }
            }
        }

        /// Stops the clients (slad is gone by now: their calls fail) and returns what was acknowledged.
        func finish() -> [Batch] {
            lock.withLock { stopping = true }
            group.wait()
            return lock.withLock { acknowledged }
        }
    }

    /// Checks each batch's ticket and closes it.
    private static func check(_ batches: [Batch], _ daemon: BenchDaemon) throws -> (lost: Int, duplicates: Int) {
        let client = try daemon.client()
        var lost = 0
        var duplicates = 0
        for batch in batches {
            guard let reply = try? client.call("io.slad.Sla.GetTicket", ["ticket": .string(batch.ticket)]),
                let ticket = reply["ticket"]?.object,
                let clocks = ticket["clocks"]?.array
            else {
                lost += 1
                continue
            }
            let response = clocks.first { $0["clock"]?.string == "response" }?["state"]?.string
            // A P1's response breaches a second after its open, which may not have passed yet.
            let expected: Set<String?> = batch.responded ? ["met"] : ["running", "breached"]
            if !expected.contains(response) { lost += 1 }
            var seen: [String: Int] = [:]
            for record in ticket["timeline"]?.array ?? [] {
                guard let kind = record["kind"]?.string, kind == "warning" || kind == "breach" else { continue }
                let key = "\(kind) \(record["clock"]?.string ?? "") \(record["line"]?.int ?? 0) \(record["percent"]?.int ?? 0)"
                seen[key, default: 0] += 1
            }
            duplicates += seen.values.reduce(0) { $0 + max(0, $1 - 1) }
        }
        var start = 0
        while start < batches.count {
            let slice = batches[start..<min(batches.count, start + 500)]
            let closes = slice.map { JSONValue.object(["ticket": .string($0.ticket), "event": "close"]) }
            _ = try client.call("io.slad.Sla.Submit", ["events": .array(closes)])
            start += 500
        }
        return (lost, duplicates)
    }
}
