import Foundation
import Testing

/// A webhook receiver on loopback (Python's http.server): records every request's webhook-id,
/// signature and body, one JSON line each, and answers with the status in its `status` file.
final class WebhookReceiver {
    let directory: String
    let process: Process
    let port: Int

    static let script = #"""
        import http.server, json, os, sys, threading
        folder = sys.argv[1]
        lock = threading.Lock()
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                try:
                    status = int(open(os.path.join(folder, "status")).read().strip())
                except Exception:
                    status = 200
                line = json.dumps({"id": self.headers.get("webhook-id"),
                    "timestamp": self.headers.get("webhook-timestamp"),
                    "signature": self.headers.get("webhook-signature"), "body": body.decode(), "status": status})
                with lock:
                    with open(os.path.join(folder, "requests.jsonl"), "a") as out:
                        out.write(line + "\n")
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        with open(os.path.join(folder, "port"), "w") as out:
            out.write(str(server.server_address[1]))
        server.serve_forever()
        """#

    init() throws {
        (directory, process, port) = try startReceiver(Self.script, prefix: "/tmp/slad-hook-")
    }

    deinit { stopReceiver(process, directory) }

    var url: String { "http://127.0.0.1:\(port)/slad" }

    func answer(_ status: Int) throws {
        try "\(status)".write(toFile: directory + "/status", atomically: true, encoding: .utf8)
    }

    var requests: [[String: Any]] {
        let text = (try? String(contentsOfFile: directory + "/requests.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? jsonObject(String($0)) }
    }

    /// How often each webhook-id arrived with a 2xx answer.
    var delivered: [String: Int] {
        var counts: [String: Int] = [:]
        for request in requests where (request["status"] as? Int ?? 0) / 100 == 2 {
            counts[request["id"] as? String ?? "", default: 0] += 1
        }
        return counts
    }
}

/// Starts a receiver script (Python) in a fresh folder, which it is given as its argument, and waits
/// until it wrote the port it listens on to `port` there.
func startReceiver(_ script: String, prefix: String) throws -> (String, Process, Int) {
    let directory = prefix + UUID().uuidString.prefix(8).lowercased()
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try script.write(toFile: directory + "/receiver.py", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", directory + "/receiver.py", directory]
    try process.run()
    let deadline = Date().addingTimeInterval(20)
    while Date() < deadline {
        if let port = (try? String(contentsOfFile: directory + "/port", encoding: .utf8)).flatMap({ Int($0) }) {
            return (directory, process, port)
        }
        usleep(20_000)
    }
    kill(process.processIdentifier, SIGKILL)
    throw DaemonTestError("the receiver \(directory)/receiver.py did not start")
}

/// SIGKILL: the test process may pass SIGTERM on ignored, and an ignored signal stays ignored past exec.
func stopReceiver(_ process: Process, _ directory: String) {
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
    try? FileManager.default.removeItem(atPath: directory)
}

/// Waits up to `timeout` seconds for `condition`, polling; false when it never held.
func eventually(_ timeout: TimeInterval = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if try condition() { return true }
        usleep(50_000)
    }
    return try condition()
}

/// A configuration whose P1 resolution target is `target`, line 1's team always on call as alice,
/// who is reached on the webhook; breaches repeat as `repeatClause` says.
func notifyingConfig(hook: String, target: String = "2s", repeatClause: String = "", secret: String? = nil) -> String {
    """
    calendars:
      always: {timezone: UTC}
    priorities:
      levels: [P1, P2]
    agreements:
      - name: gold
        kind: sla
        calendar: always
        targets: {P1: {response: 1h, resolution: \(target)}, P2: {resolution: 8h}}
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
      alice:
        user: alice
        timezone: Europe/Berlin
        contacts: {email: alice@example.com}
        channels: {high: [hook]}
    teams:
      desk: {timezone: Europe/Berlin, fallback: alice}
    notifications:
      channels:
        hook: {type: webhook, url: "\(hook)", format: json, timeout: 5s\(secret.map { ", secret_file: \($0)" } ?? "")}
      routes:
        - match: {kind: [breach], clock: [resolution]}
          notify: [holder]
          urgency: high
    \(repeatClause.isEmpty ? "" : "      " + repeatClause)
    """
}

/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("Notifications in the daemon", .serialized)
    struct NotificationDaemonTests {
        private func outbox(_ daemon: RunningDaemon, _ arguments: [String] = []) throws -> [[String: Any]] {
            let result = try daemon.slactl(["notifications"] + arguments + ["--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try jsonObject(result.stdout)["notifications"] as? [[String: Any]] ?? []
        }

        @Test("a breach reaches the on-call person's webhook, signed, with the id it keeps in the outbox")
        func breachIsDelivered() throws {
            let receiver = try WebhookReceiver()
            let secretPath = receiver.directory + "/hook.secret"
            try "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n".write(toFile: secretPath, atomically: true, encoding: .utf8)
            let daemon = try RunningDaemon(configText: notifyingConfig(hook: receiver.url, secret: secretPath))
            #expect(
                try daemon.slactl(["open", "INC-42", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status
                    == 0)
            #expect(eventually { receiver.delivered.count == 1 }, "\(daemon.log)")
            let request = try #require(receiver.requests.first)
            let id = try #require(request["id"] as? String)
            let body = try jsonObject(request["body"] as? String ?? "")
            #expect(body["id"] as? String == id)
            #expect((body["record"] as? [String: Any])?["kind"] as? String == "breach")
            let text = body["text"] as? String ?? ""
            #expect(text.hasPrefix("P1 INC-42 (acme, mail): resolution breached at "), "\(text)")
            #expect(text.hasSuffix("; line 1 Service Desk holds it. Acknowledge: slactl ack INC-42"), "\(text)")
            // The signature as Standard Webhooks defines it, checked with Python's hmac.
            let check = try run(
                "/usr/bin/env",
                [
                    "python3", "-c",
                    "import base64,hashlib,hmac,sys; k=base64.b64decode('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'); "
                        + "print('v1,'+base64.b64encode(hmac.new(k,(sys.argv[1]+'.'+sys.argv[2]+'.'+sys.argv[3]).encode(),"
                        + "hashlib.sha256).digest()).decode())",
                    id, request["timestamp"] as? String ?? "", request["body"] as? String ?? "",
                ])
            #expect(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == request["signature"] as? String)
            #expect(try eventually { try outbox(daemon).first?["state"] as? String == "sent" })
            let row = try #require(try outbox(daemon).first)
            #expect(
                row["id"] as? String == id && row["person"] as? String == "alice" && row["channel"] as? String == "hook")
            let status = try jsonObject(try daemon.slactl(["status", "--json"]).stdout)
            #expect((status["notifications"] as? [String: Any])?["pending"] as? Int == 0)
        }

        @Test("an acknowledgement stops the repeats at once, durably; a restart and a reload send nothing again")
        func acknowledgementStopsRepeats() throws {
            let receiver = try WebhookReceiver()
            let daemon = try RunningDaemon(
                configText: notifyingConfig(
                    hook: receiver.url, target: "1s", repeatClause: "repeat: {every: 2s, times: 30}"))
            #expect(try daemon.slactl(["open", "INC-7", "--priority", "P1"]).status == 0)
            #expect(eventually { receiver.delivered.count >= 2 }, "\(daemon.log)")
            let ack = try daemon.slactl(["ack", "INC-7", "--note", "on it"])
            #expect(ack.status == 0 && ack.stdout.contains("pending notifications cancelled"), "\(ack.stdout)\(ack.stderr)")
            let seen = receiver.requests.count
            daemon.kill9()
            try daemon.start()
            #expect(try daemon.slactl(["reload"]).status == 0)
            // Three repeat intervals: nothing more arrives.
            usleep(6_000_000)
            #expect(receiver.requests.count <= seen + 1)  // at most the one attempt in flight at the ack
            #expect(try outbox(daemon, ["INC-7", "--pending"]).isEmpty)
            let again = try daemon.slactl(["ack", "INC-7"])
            #expect(again.status == 0 && again.stdout.contains("nothing was pending"), "\(again.stdout)")
            let shown = try daemon.slactl(["show", "INC-7"])
            #expect(shown.stdout.contains("acknowledged") && shown.stdout.contains("on it"), "\(shown.stdout)")
        }

        @Test(
            "kill -9 while notifications flow: each committed one arrives, with its id, none twice per kill"
        )
        func killNineRounds() throws {
            let receiver = try WebhookReceiver()
            let daemon = try RunningDaemon(configText: notifyingConfig(hook: receiver.url, target: "1s"))
            var generator = SystemRandomNumberGenerator()
            let rounds = 20
            for round in 0..<rounds {
                for index in 0..<5 {
                    _ = try daemon.slactl(["open", "K\(round)-\(index)", "--priority", "P1"])
                }
                usleep(UInt32.random(in: 200_000...1_400_000, using: &generator))
                daemon.kill9()
                try daemon.start()
            }
            // Every notification committed is sent after the restarts.
            // The last round's breaches fall due a second after their opens: wait for them too.
            #expect(
                try eventually(60) {
                    try outbox(daemon).count == rounds * 5 && outbox(daemon, ["--pending"]).isEmpty
                }, "\(daemon.log.suffix(2000))")
            let rows = try outbox(daemon)
            #expect(rows.count == rounds * 5, "one breach notice per ticket: \(rows.count)")
            let delivered = receiver.delivered
            for row in rows {
                let id = row["id"] as? String ?? ""
                #expect(row["state"] as? String == "sent", "\(row)")
                #expect((delivered[id] ?? 0) >= 1, "\(id) never arrived")
                // Resent only when a kill came between the send and its record: once per kill at most.
                #expect((delivered[id] ?? 0) <= 1 + rounds)
            }
            // Only what was in flight, or sent but not yet written, when a kill came goes out again.
            let duplicates = delivered.values.reduce(0) { $0 + max(0, $1 - 1) }
            #expect(duplicates < rows.count, "\(duplicates) resends")
            #expect(Set(delivered.keys).isSubset(of: Set(rows.compactMap { $0["id"] as? String })))
        }

        @Test("a failing endpoint is retried with the same id until it answers; 410 disables the channel")
        func retriesKeepTheId() throws {
            let receiver = try WebhookReceiver()
            try receiver.answer(500)
            let daemon = try RunningDaemon(configText: notifyingConfig(hook: receiver.url, target: "1s"))
            #expect(try daemon.slactl(["open", "INC-9", "--priority", "P1"]).status == 0)
            #expect(eventually { receiver.requests.count >= 2 })
            try receiver.answer(200)
            #expect(eventually { receiver.delivered.count == 1 })
            let ids = Set(receiver.requests.compactMap { $0["id"] as? String })
            #expect(ids.count == 1, "every attempt carries the notification's id: \(ids)")
            let row = try #require(try outbox(daemon, ["INC-9"]).first)
            #expect(row["attempts"] as? Int ?? 0 >= 2)
            #expect(row["last_error"] as? String == "HTTP 500")

            try receiver.answer(410)
            #expect(try daemon.slactl(["open", "INC-10", "--priority", "P1"]).status == 0)
            #expect(try eventually { try outbox(daemon, ["INC-10", "--failed"]).count == 1 })
            let status = try jsonObject(try daemon.slactl(["status", "--json"]).stdout)
            #expect((status["notifications"] as? [String: Any])?["disabled_channels"] as? [String] == ["hook"])
            #expect((status["notifications"] as? [String: Any])?["failed"] as? Int == 1)
        }

        @Test("a secret_file slad cannot read stops the start like a configuration error")
        func unreadableSecret() throws {
            let daemon = try RunningDaemon(
                configText: notifyingConfig(hook: "http://127.0.0.1:9/x", secret: "/nonexistent/hook.secret"), start: false)
            #expect(throws: DaemonTestError.self) { try daemon.start(timeout: 20) }
            #expect(daemon.log.contains("secret_file /nonexistent/hook.secret cannot be read"), "\(daemon.log)")
            #expect(daemon.log.contains("slad.yaml:"), "\(daemon.log)")
        }
    }
}
