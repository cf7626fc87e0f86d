import Foundation
import Glibc

/// `--only watchers`: Watch clients that never read while records flow, and what they cost slad.
///
/// 100 such clients once took slad from 41 MiB to 3.7 GiB; each watcher's unread records are now
/// bounded, and so are all clients' together.
enum WatcherBench {
    static func run(_ daemon: BenchDaemon, watchers: Int, log: (String) -> Void) throws -> [Figure] {
        let before = daemon.residentBytes()
        let call = Array(#"{"method":"io.slad.Sla.Watch","more":true}"#.utf8) + [0]
        let connections = try (0..<watchers).map { _ in try RawVarlinkConnection(socketPath: daemon.socketPath) }
        for connection in connections { try connection.send(call) }
        // Two events a Submit (ticket ids of their own), each opening a ticket: 4 records an open.
        let result = try DaemonBench.ingest(daemon, clients: 16, events: 400_000, batch: 2)
        sleep(2)
        let after = daemon.residentBytes()
        let peak = daemon.peakResidentBytes()
        var dropped = 0
        // POLLRDHUP (0x2000, which Glibc's module leaves out): slad closed its end, unread data or not.
        let peerClosed: Int16 = 0x2000
        for connection in connections {
            var poller = pollfd(fd: connection.fd, events: peerClosed, revents: 0)
            if poll(&poller, 1, 0) > 0, poller.revents & (peerClosed | Int16(POLLHUP)) != 0 { dropped += 1 }
        }
        log("slad-bench: \(watchers) watchers that never read; ingest \(Int(result.rate)) events/s meanwhile")
        let mib = { (bytes: Int) in Double(bytes) / 1_048_576 }
        return [
            Figure(name: "slad RSS before \(watchers) non-reading watchers", value: mib(before), unit: "MiB"),
            Figure(
                name: "slad RSS after 400,000 events (1.6 M records) to them", value: mib(after), unit: "MiB",
                target: 1024, higherIsBetter: false),
            Figure(name: "  slad peak RSS meanwhile", value: mib(peak), unit: "MiB", target: nil, higherIsBetter: false),
            Figure(name: "  watchers dropped for not reading", value: Double(dropped), unit: "of \(watchers)"),
        ]
    }
}
