import Foundation
import SLAContract
import SLAControl
import SLAJSON

#if canImport(Glibc)
import Glibc
#endif

/// `--only notify`: notifications through the release slad to a webhook receiver in this process.
///
/// `tickets` P2 tickets are opened first and stay open, armed (8 h targets). Then for `--notify-seconds`
/// seconds `--notify-rate` P1 tickets a second are opened whose resolution breaches 2 s later; each
/// open writes two due records and each breach one, and the breach notifies the on-call person on a
/// webhook (format json) whose receiver is a plain HTTP/1.1 server on loopback here. Delivery latency
/// is the receiver's arrival time less the breach's due instant (the record's `at`); throughput the
/// notifications received over the window. Then `Acknowledge` is timed on 1,000 of the tickets, each
/// with three repeats pending (`repeat: {every: 1h, times: 3}`): the reply comes once the repeats
/// are cancelled and the transaction is synced.
enum NotifyBench {
    static func config(port: Int) -> String {
        """
        calendars:
          always: {timezone: UTC}
        priorities:
          levels: [P1, P2]
        agreements:
          - {name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 2s}, P2: {resolution: 8h}}}
          - {name: desk, kind: ola, calendar: always, targets: {P1: {resolution: 8h}, P2: {resolution: 8h}}}
          - {name: ops, kind: ola, calendar: always, targets: {P1: {resolution: 8h}}}
          - {name: dev, kind: ola, calendar: always, targets: {P1: {resolution: 8h}}}
          - {name: vendor, kind: uc, calendar: always, targets: {P1: {resolution: 8h}}}
        lines:
          - {id: 1, name: Service Desk, agreement: desk, team: desk}
          - {id: 2, name: Incident Management, agreement: ops}
          - {id: 3, name: Development, agreement: dev}
          - {id: 4, name: Vendor, agreement: vendor}
        people:
          alice: {contacts: {email: alice@example.com}, channels: {high: [hook]}}
        teams:
          desk: {timezone: Europe/Berlin, fallback: alice}
        notifications:
          channels:
            hook: {type: webhook, url: "http://127.0.0.1:\(port)/hook", format: json, concurrency: 16}
          routes:
            - match: {kind: [breach], clock: [resolution]}
              notify: [holder]
              repeat: {every: 1h, times: 3}
        """
    }

    static func run(tickets: Int, rate: Int, seconds: Int, log: (String) -> Void) throws -> [Figure] {
        let receiver = try Receiver()
        receiver.start()
        let daemon = try BenchDaemon(configText: config(port: receiver.port))
        defer { daemon.kill() }
        log("slad-bench: notify: opening \(tickets) armed background tickets")
        try DaemonBench.load(daemon, tickets: tickets) { _ in "P2" }
        log("slad-bench: notify: \(rate) P1 tickets a second for \(seconds) s (\(rate * 3) records a second)")
        let client = try daemon.client()
        let begin = realtime()
        var opened = 0
        for second in 0..<seconds {
            let slot = begin + Double(second)
            let wait = slot - realtime()
            if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
            // Ten batches a second, so the records come spread over the second.
            for tenth in 0..<10 {
                let count = rate / 10 + (tenth < rate % 10 ? 1 : 0)
                let events: [JSONValue] = (0..<count).map { _ in
                    defer { opened += 1 }
                    return ["ticket": .string("N-\(opened)"), "event": "open", "priority": "P1"]
                }
                _ = try client.call("io.slad.Sla.Submit", ["events": .array(events)])
                let next = slot + Double(tenth + 1) / 10
                let pause = next - realtime()
                if pause > 0 { usleep(UInt32(pause * 1_000_000)) }
            }
        }
        let deadline = realtime() + 60
        while receiver.count < opened, realtime() < deadline { usleep(100_000) }
        let arrivals = receiver.arrivals
        let latencies = arrivals.map { ($0.arrival - Double($0.due)) * 1000 }
        let first = arrivals.map(\.arrival).min() ?? begin
        let last = arrivals.map(\.arrival).max() ?? begin
        let perMinute = Double(arrivals.count) / max(1, last - first) * 60
        log("slad-bench: notify: \(arrivals.count) of \(opened) notifications received; timing 1,000 acknowledgements")
        var acks: [Double] = []
        for n in stride(from: 0, to: min(opened, 1000 * max(1, opened / 1000)), by: max(1, opened / 1000)) {
            let start = monotonic()
            _ = try client.call("io.slad.Sla.Acknowledge", ["ticket": .string("N-\(n)")])
            acks.append((monotonic() - start) * 1000)
        }
        return [
            Figure(name: "notify: notifications received / sent", value: Double(arrivals.count), unit: "of \(opened)"),
            Figure(
                name: "notify: delivery latency p50 (due -> receiver)", value: DaemonBench.percentile(latencies, 0.5),
                unit: "ms", target: 5, higherIsBetter: false),
            Figure(
                name: "notify: delivery latency p99", value: DaemonBench.percentile(latencies, 0.99), unit: "ms",
                target: 50, higherIsBetter: false),
            Figure(name: "notify: throughput to one receiver", value: perMinute, unit: "/min", target: 10_000),
            Figure(
                name: "notify: Acknowledge reply p50", value: DaemonBench.percentile(acks, 0.5), unit: "ms",
                higherIsBetter: false),
            Figure(
                name: "notify: Acknowledge reply p99", value: DaemonBench.percentile(acks, 0.99), unit: "ms",
                target: 20, higherIsBetter: false),
        ]
    }

    /// A minimal HTTP/1.1 server (keep-alive, Content-Length bodies), a thread a connection: records
    /// each request's arrival and the `at` of the record in its body, and answers 200.
    final class Receiver: @unchecked Sendable {
        struct Arrival {
            var arrival: Double
            var due: Int64
        }

        let port: Int
        private let listener: Int32
        private let lock = NSLock()
        private var received: [Arrival] = []

        var arrivals: [Arrival] { lock.withLock { received } }
        var count: Int { lock.withLock { received.count } }

        init() throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.listener = listener
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
            }
            guard bound == 0, listen(listener, 128) == 0 else { throw BenchError("the receiver cannot listen") }
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(listener, $0, &length) }
            }
            port = Int(UInt16(bigEndian: address.sin_port))
        }

        /// Accepts connections on a thread of its own until the process ends.
        func start() {
            Thread.detachNewThread { [self] in
                while true {
                    let connection = accept(listener, nil, nil)
                    guard connection >= 0 else { return }
                    Thread.detachNewThread { [self] in serve(connection) }
                }
            }
        }

        private func serve(_ connection: Int32) {
            defer { close(connection) }
            var buffer: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65_536)
            while true {
                guard let headerEnd = find(buffer) else {
                    let n = read(connection, &chunk, chunk.count)
                    guard n > 0 else { return }
                    buffer += chunk[0..<n]
                    continue
                }
                let head = String(decoding: buffer[0..<headerEnd], as: UTF8.self).lowercased()
                let length = head.split(separator: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst(15).trimmingCharacters(in: .whitespaces)) } ?? 0
                while buffer.count < headerEnd + 4 + length {
                    let n = read(connection, &chunk, chunk.count)
                    guard n > 0 else { return }
                    buffer += chunk[0..<n]
                }
                let arrival = realtime()
                let body = buffer[(headerEnd + 4)..<(headerEnd + 4 + length)]
                buffer.removeFirst(headerEnd + 4 + length)
                if let at = (try? JSONValue.decode(body))?["record"]?["at"]?.string,
                    let due = Timestamp.seconds(at)
                {
                    lock.withLock { received.append(Arrival(arrival: arrival, due: due)) }
                }
                let reply = Array("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".utf8)
                _ = reply.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
            }
        }

        private func find(_ bytes: [UInt8]) -> Int? {
            guard bytes.count >= 4 else { return nil }
            for i in 0...(bytes.count - 4)
            where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
                return i
            }
            return nil
        }
    }
}

