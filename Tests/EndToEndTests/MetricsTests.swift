import Foundation
import SLAControl
import Testing

/// A loopback TCP port nobody listens on right now (bound, read, closed).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            Glibc.bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw DaemonTestError("no free port: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// A TCP connection to 127.0.0.1 that sends raw bytes and reads answers, for HTTP as slad's
/// scrapers and abusers speak it.
final class TCPConnection {
    let fd: Int32

    init(port: Int, timeout: Int = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            close(fd)
            throw DaemonTestError("connect to port \(port): errno \(errno)")
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Reads one response (head, then a body of its Content-Length); nil when the peer closed first.
    func response() -> HTTPResult? {
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while !data.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            data.append(byte)
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\r\n")
        guard let first = lines.first, first.split(separator: " ").count >= 2,
            let status = Int(first.split(separator: " ")[1])
        else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        guard let length = headers["content-length"].flatMap({ Int($0) }) else {
            // Chunked or ended by the close (Prometheus' API): everything until the close.
            var rest: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { break }
                rest += buffer[0..<n]
            }
            if headers["transfer-encoding"] == "chunked" { rest = Self.dechunk(rest) }
            return HTTPResult(status: status, headers: headers, body: String(decoding: rest, as: UTF8.self))
        }
        var body = [UInt8](repeating: 0, count: length)
        var read = 0
        while read < body.count {
            let n = body[read...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            read += n
        }
        return HTTPResult(status: status, headers: headers, body: String(decoding: body, as: UTF8.self))
    }

    static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard let end = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }),
                let size = Int(String(decoding: bytes[index..<end], as: UTF8.self), radix: 16), size > 0
            else { break }
            let start = end + 2
            out += bytes[start..<min(bytes.count, start + size)]
            index = start + size + 2
        }
        return out
    }

    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }
}

struct HTTPResult {
    var status: Int
    var headers: [String: String]
    var body: String
}

/// One GET on a new connection.
func httpGet(_ port: Int, _ path: String, accept: String? = nil) throws -> HTTPResult {
    let connection = try TCPConnection(port: port)
    var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    if let accept { request += "Accept: \(accept)\r\n" }
    connection.send(request + "\r\n")
    guard let result = connection.response() else { throw DaemonTestError("no answer to GET \(path)") }
    return result
}

/// The value of the sample `series` (name and labels exactly as slad writes them) in a text exposition.
func sample(_ exposition: String, _ series: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}

/// The metric families of issue 14, by name: the contract dashboards and rules select on.
let contractMetrics = [
    "slad_open_tickets", "slad_breached_open_tickets", "slad_records_total", "slad_breaches_total",
    "slad_escalations_total", "slad_timer_lateness_seconds", "slad_submit_events_total", "slad_submit_refused_total",
    "slad_commit_duration_seconds", "slad_commit_batch_events", "slad_config_last_reload_success_timestamp_seconds",
    "slad_config_last_reload_successful", "slad_journal_records_total", "slad_varlink_connections",
    "process_resident_memory_bytes", "process_start_time_seconds", "process_cpu_seconds_total", "process_open_fds",
]

let promtool = "/usr/bin/promtool"
let prometheusServer = "/usr/bin/prometheus"

/// The metrics and the HTTP listener, end to end: the real slad, promtool and a Prometheus server.
extension DaemonTests {
    /// `config` with `http: {listen: [...]}` on `port`.
    func withHTTP(_ config: String, port: Int) -> String {
        config + "\nhttp:\n  listen: [\"127.0.0.1:\(port)\"]\n"
    }

    @Test(
        "after a workload that touches every metric, /metrics passes promtool check metrics and counts what happened",
        .enabled(if: FileManager.default.isExecutableFile(atPath: promtool), "promtool (Debian's prometheus) installed"))
    func everyMetric() throws {
        let port = try freePort()
        let daemon = try RunningDaemon(configText: withHTTP(try quickConfig(responseSeconds: 2), port: port))
        #expect(try httpGet(port, "/healthz").status == 200)
        // A breach (with its warnings and the rule for duty-manager at 50%), a met, a functional
        // escalation, a refused event and a reload.
        #expect(try daemon.slactl(["open", "M-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status == 0)
        #expect(try daemon.slactl(["open", "M-2", "--priority", "P2"]).status == 0)
        #expect(try daemon.slactl(["respond", "M-2"]).status == 0)
        #expect(try daemon.slactl(["assign", "M-2", "--line", "2"]).status == 0)
        #expect(try daemon.slactl(["respond", "NOBODY"]).status == 3)
        #expect(try daemon.slactl(["reload"]).status == 0)
        var text = ""
        for _ in 0..<100 {
            usleep(100_000)
            text = try httpGet(port, "/metrics").body
            if sample(text, #"slad_breaches_total{agreement="gold",clock="response"}"#) == 1,
                sample(text, #"slad_breached_open_tickets{line="1",priority="P1"}"#) == 1
            {
                break
            }
        }
        let check = try run(promtool, ["check", "metrics"], stdin: Data(text.utf8))
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        for name in contractMetrics {
            #expect(text.contains("# TYPE \(name) "), "\(name) is missing")
        }
        #expect(sample(text, #"slad_breaches_total{agreement="gold",clock="response"}"#) == 1)
        #expect(sample(text, #"slad_breached_open_tickets{line="1",priority="P1"}"#) == 1)
        #expect(sample(text, #"slad_open_tickets{line="1",priority="P1"}"#) == 1)
        #expect(sample(text, #"slad_open_tickets{line="2",priority="P2"}"#) == 1)
        #expect(sample(text, #"slad_open_tickets{line="1",priority="P2"}"#) == 0)
        #expect(sample(text, #"slad_records_total{kind="breach",clock="response"}"#) == 1)
        #expect(sample(text, #"slad_records_total{kind="met",clock="response"}"#) == 1)
        #expect((sample(text, #"slad_records_total{kind="warning",clock="response"}"#) ?? 0) >= 1)
        #expect(sample(text, #"slad_escalations_total{type="functional",to="2"}"#) == 1)
        #expect(sample(text, #"slad_escalations_total{type="hierarchical",to="duty-manager"}"#) == 1)
        #expect(sample(text, #"slad_submit_refused_total{error="unknown_ticket"}"#) == 1)
        #expect(sample(text, "slad_submit_events_total") == 4)
        #expect((sample(text, "slad_timer_lateness_seconds_count") ?? 0) >= 2)
        #expect((sample(text, "slad_commit_batch_events_count") ?? 0) >= 4)
        #expect(sample(text, "slad_config_last_reload_successful") == 1)
        #expect((sample(text, "slad_config_last_reload_success_timestamp_seconds") ?? 0) > Date().timeIntervalSince1970 - 600)
        #expect((sample(text, "process_resident_memory_bytes") ?? 0) > 1_000_000)
        // OpenMetrics when asked for it, as Prometheus does.
        let open = try httpGet(port, "/metrics", accept: "application/openmetrics-text;version=1.0.0,text/plain;q=0.5")
        #expect(open.headers["content-type"] == "application/openmetrics-text; version=1.0.0; charset=utf-8")
        #expect(open.body.hasSuffix("# EOF\n"))
        #expect(open.body.contains("# TYPE slad_records counter\n"))
        // A refused reload shows.
        let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (original + "\nnot-a-section: 1\n").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        #expect(try daemon.slactl(["reload"]).status == 1)
        #expect(sample(try httpGet(port, "/metrics").body, "slad_config_last_reload_successful") == 0)
        #expect(daemon.stop() == 0)
    }

    @Test(
        "a real Prometheus server scrapes slad; PromQL's open tickets per line are what slactl list shows",
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: prometheusServer), "Debian's prometheus package installed"))
    func prometheusScrapes() throws {
        let port = try freePort()
        let daemon = try RunningDaemon(configText: withHTTP(try String(contentsOf: packageRoot.appendingPathComponent("config/slad.yaml"), encoding: .utf8), port: port))
        let lines = [1, 1, 1, 2, 2, 3]
        for (index, line) in lines.enumerated() {
            #expect(try daemon.slactl(["open", "Q-\(index)", "--priority", index % 2 == 0 ? "P2" : "P3", "--line", "\(line)"]).status == 0)
        }
        let listed = try jsonObject(try daemon.slactl(["list", "--json"]).stdout)["tickets"] as? [[String: Any]] ?? []
        var expected: [String: Int] = [:]
        for ticket in listed { expected[String(ticket["line"] as? Int ?? 0), default: 0] += 1 }
        #expect(expected == ["1": 3, "2": 2, "3": 1])

        let webPort = try freePort()
        let folder = daemon.directory + "/prometheus"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: slad
                static_configs:
                  - targets: ["127.0.0.1:\(port)"]

            """
        try (config + "rule_files: [\"\(packageRoot.path)/contrib/prometheus/slad.rules.yml\"]\n")
            .write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: prometheusServer)
        server.arguments = [
            "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
            "--web.listen-address=127.0.0.1:\(webPort)",
        ]
        let log = FileHandle(forWritingAtPath: "/dev/null")
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        let query = "sum by (line) (slad_open_tickets)".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        var found: [String: Int] = [:]
        for _ in 0..<60 where found != expected {
            sleep(1)
            guard let answer = try? httpGet(webPort, "/api/v1/query?query=\(query)"), answer.status == 200,
                let result = (try? jsonObject(answer.body))?["data"] as? [String: Any],
                let vector = result["result"] as? [[String: Any]]
            else { continue }
            found = [:]
            for series in vector {
                guard let line = (series["metric"] as? [String: String])?["line"],
                    let value = (series["value"] as? [Any])?.last as? String, let count = Double(value), count > 0
                else { continue }
                found[line] = Int(count)
            }
        }
        #expect(found == expected)
        let up = try httpGet(webPort, "/api/v1/query?query=up").body
        #expect(up.contains(#""job":"slad""#) && up.contains(#""1"]"#))
        // The shipped rules load, and every query of the shipped dashboard is valid PromQL to this server.
        let rules = try httpGet(webPort, "/api/v1/rules").body
        for alert in ["SladDown", "SladReloadFailed", "SladTimerLate", "SladNotificationsFailing", "SladJournalDropping", "SladBreachesRising"] {
            #expect(rules.contains(#""name":"\#(alert)""#), "\(alert) not loaded")
        }
        let dashboard = try jsonObject(
            try String(contentsOf: packageRoot.appendingPathComponent("contrib/grafana/slad.json"), encoding: .utf8))
        let targets = (dashboard["panels"] as? [[String: Any]] ?? []).flatMap { $0["targets"] as? [[String: Any]] ?? [] }
        #expect(targets.count >= 6)
        for target in targets {
            let expression = (target["expr"] as? String ?? "").replacingOccurrences(of: "$job", with: "slad")
                .replacingOccurrences(of: "$instance", with: ".*").replacingOccurrences(of: "$__rate_interval", with: "1m")
            let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let answer = try httpGet(webPort, "/api/v1/query?query=\(encoded)")
            #expect(answer.status == 200 && answer.body.contains(#""status":"success""#), "\(expression): \(answer.body)")
        }
        #expect(daemon.stop() == 0)
    }

    @Test("bad HTTP clients (unknown path, huge headers, slowloris, a flood beyond the connection limit) never disturb the clocks or the control socket")
    func badClients() throws {
        let port = try freePort()
        let daemon = try RunningDaemon(configText: withHTTP(try quickConfig(responseSeconds: 3), port: port))
        #expect(try httpGet(port, "/nowhere").status == 404)
        #expect(try httpGet(port, "/").status == 404)
        let post = try TCPConnection(port: port)
        post.send("DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(post.response()?.status == 405)
        let huge = try TCPConnection(port: port)
        huge.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 200_000))\r\n\r\n")
        #expect(huge.response()?.status == 400)
        let garbage = try TCPConnection(port: port)
        garbage.send("\u{1}\u{2}NOT HTTP\r\n\r\n")
        #expect(garbage.response()?.status == 400)

        #expect(try daemon.slactl(["open", "B-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status == 0)
        let opened = Date()
        // While the clock runs: 40 slowloris clients and 200 idle connections (beyond the 64 served at
        // once), and 16 scrapers that keep scraping.
        let stop = Acknowledged.Flag()
        let scrapes = Acknowledged()
        let group = DispatchGroup()
        var flood: [TCPConnection] = []
        for _ in 0..<200 { if let connection = try? TCPConnection(port: port, timeout: 2) { flood.append(connection) } }
        for index in 0..<40 {
            group.enter()
            Thread {
                defer { group.leave() }
                guard let slow = try? TCPConnection(port: port, timeout: 2) else { return }
                for byte in "GET /metrics HTTP/1.1\r\nX-\(index): ".map(String.init) + Array(repeating: "a", count: 1000) {
                    if stop.isSet || !slow.send(byte) { return }
                    usleep(100_000)
                }
            }.start()
        }
        for scraper in 0..<16 {
            group.enter()
            Thread {
                defer { group.leave() }
                while !stop.isSet {
                    if let answer = try? httpGet(port, "/metrics"), answer.status == 200 { scrapes.add("s\(scraper)") }
                    usleep(50_000)
                }
            }.start()
        }
        // The control socket answers throughout, and the breach comes on time.
        var breachSeen: Date?
        while Date().timeIntervalSince(opened) < 15 {
            let status = try daemon.slactl(["status", "--json"])
            #expect(status.status == 0)
            if try daemon.slactl(["breaches", "--json"]).stdout.contains("B-1") {
                breachSeen = Date()
                break
            }
            usleep(100_000)
        }
        // The flood holds the 64 connections served at once, so scrapers are turned away until the
        // flood's connections are cut off for sending no request within 10 s; then they are served.
        while scrapes.all.isEmpty, Date().timeIntervalSince(opened) < 30 { usleep(200_000) }
        stop.set()
        group.wait()
        flood.removeAll()
        let seen = try #require(breachSeen)
        #expect(seen.timeIntervalSince(opened) < 6)
        let status = try jsonObject(try daemon.slactl(["status", "--json"]).stdout)
        let lateness = status["timer_lateness"] as? [String: Any]
        #expect(((lateness?["p99_ms"] as? Double) ?? 1000) < 100, "\(status)")
        #expect(scrapes.all.count > 0)
        #expect(try httpGet(port, "/healthz").status == 200)
        #expect(daemon.stop() == 0)
    }

    @Test("an http.listen address that cannot be bound is reported at its place and slad serves without it; at reload it refuses the reload")
    func bindFailures() throws {
        // Somebody else holds the port.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        let busy = try freePort()
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(busy).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.bind(holder, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        #expect(bound == 0 && listen(holder, 1) == 0)
        let original = try String(contentsOf: packageRoot.appendingPathComponent("config/slad.yaml"), encoding: .utf8)
        let daemon = try RunningDaemon(configText: withHTTP(original, port: busy))
        let lineNumber = original.split(separator: "\n", omittingEmptySubsequences: false).count + 2
        #expect(daemon.log.contains("\(daemon.configPath):\(lineNumber):"), "\(daemon.log)")
        #expect(daemon.log.contains("cannot listen on 127.0.0.1:\(busy): Address already in use"))
        #expect(try daemon.slactl(["status"]).status == 0)
        // A reload to another busy address is refused whole, with the place in the file.
        let refused = try daemon.slactl(["reload"])
        #expect(refused.status == 0, "the same file: the failing address is only tried again")
        let port = try freePort()
        try withHTTP(original, port: port).replacingOccurrences(of: "\"127.0.0.1:\(port)\"", with: "\"127.0.0.1:\(port)\", \"127.0.0.1:\(busy)\"")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let twoAddresses = try daemon.slactl(["reload"])
        #expect(twoAddresses.status == 1)
        #expect(twoAddresses.stderr.contains("cannot listen on 127.0.0.1:\(busy)"), "\(twoAddresses.stderr)")
        #expect((try? httpGet(port, "/healthz")) == nil, "nothing of a refused reload stays bound")
        // A reload to a free address is served.
        try withHTTP(original, port: port).write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        #expect(try daemon.slactl(["reload"]).status == 0)
        #expect(try httpGet(port, "/healthz").status == 200)
        #expect(daemon.stop() == 0)
    }
}

@Suite("contrib: the shipped Prometheus rules", .tags(.endToEnd))
struct ContribTests {
    @Test(
        "slad.rules.yml passes promtool check rules, and its unit tests (promtool test rules) pass",
        .enabled(if: FileManager.default.isExecutableFile(atPath: promtool), "promtool (Debian's prometheus) installed"))
    func rules() throws {
        let check = try run(promtool, ["check", "rules", "contrib/prometheus/slad.rules.yml"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("6 rules found"))
        let test = try run(promtool, ["test", "rules", "contrib/prometheus/slad.rules.test.yml"])
        #expect(test.status == 0, "\(test.stdout)\(test.stderr)")
    }
}

extension DaemonTests {
    @Test("socket activation: the TCP socket named http (slad-http.socket) serves /metrics beside the one named varlink")
    func httpSocketActivation() throws {
        let daemon = try RunningDaemon(start: false)
        let activated = daemon.directory + "/activated.sock"
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        process.arguments =
            ["-l", activated, "-l", "127.0.0.1:\(port)", "--fdname=varlink:http",
             productsDirectory.appendingPathComponent("slad").path] + daemon.arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: activated) && Date() < deadline { usleep(10_000) }
        usleep(200_000)
        // The scraper's connection is what starts slad: it waits in the backlog until slad serves.
        let health = try httpGet(port, "/healthz")
        #expect(health.status == 200 || health.status == 503)
        var metrics = try httpGet(port, "/metrics")
        for _ in 0..<50 where !metrics.body.contains("slad_open_tickets") {
            usleep(100_000)
            metrics = try httpGet(port, "/metrics")
        }
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("# TYPE slad_open_tickets gauge"))
        // And the control socket came through under its own name.
        let status = try VarlinkClient(socketPath: activated).call("io.slad.Sla.Status")
        #expect(status["version"]?.string != nil)
    }
}
