import Foundation
import SLAControl
import SLAJSON
import Testing

/// Parses slactl's `--json` output (one JSON object).
func jsonObject(_ text: String) throws -> [String: Any] {
    guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw DaemonTestError("not a JSON object: \(text)")
    }
    return object
}

/// The remote error's name, or nil when the call succeeded.
func remoteError(_ body: () throws -> Any) -> String? {
    do {
        _ = try body()
        return nil
    } catch ControlError.remote(let name, _) {
        return name
    } catch {
        return "\(error)"
    }
}

/// A connection that sends raw bytes, for malformed input a proper client cannot produce.
final class RawConnection {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let status = withUnixAddress(path) { connect(fd, $0, $1) }
        guard status == 0 else { throw DaemonTestError("connect: \(errno)") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return }
            offset += sent
        }
    }

    /// Reads until a NUL (one reply) or end of stream; nil when the peer closed without a reply.
    func receive() -> String? {
        var reply: [UInt8] = []
        var byte: UInt8 = 0
        while recv(fd, &byte, 1, 0) == 1 {
            if byte == 0 { return String(decoding: reply, as: UTF8.self) }
            reply.append(byte)
        }
        return reply.isEmpty ? nil : String(decoding: reply, as: UTF8.self)
    }

    /// True when the peer has closed the connection.
    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) == 0
    }
}

@Suite("slad end to end: real binaries, socket and SQLite file", .serialized, .tags(.endToEnd))
struct DaemonTests {
    @Test("slactl drives a ticket; GetTicket's timeline is what replay makes of the applied events")
    func ticketMatchesReplay() throws {
        let daemon = try RunningDaemon()
        #expect(try daemon.slactl(["open", "INC-7", "--priority", "P2", "--service", "mail", "--customer", "acme"]).status == 0)
        #expect(try daemon.slactl(["respond", "INC-7"]).status == 0)
        #expect(try daemon.slactl(["assign", "INC-7", "--line", "2"]).status == 0)
        #expect(try daemon.slactl(["pause", "INC-7", "--reason", "waiting-customer"]).status == 0)
        let shown = try daemon.slactl(["show", "INC-7", "--json"])
        #expect(shown.status == 0, "\(shown.stderr)")
        let ticket = try #require(try jsonObject(shown.stdout)["ticket"] as? [String: Any])
        #expect(ticket["line"] as? Int == 2)
        #expect(ticket["sla"] as? String == "gold")
        #expect(ticket["pause_reason"] as? String == "waiting-customer")
        let clocks = try #require(ticket["clocks"] as? [[String: Any]])
        #expect(clocks.map { $0["state"] as? String } == ["met", "paused", "paused"])

        // The events as slad applied them, replayed offline, give the same records.
        let events = try #require(ticket["events"] as? [[String: Any]])
        let lines = try events.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        let lastAt = try #require(events.last?["at"] as? String)
        let replay = try run(
            "slad", ["replay", "--config", daemon.configPath, "--until", lastAt, "-"],
            stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        #expect(replay.status == 0, "\(replay.stderr)")
        let timeline = try #require(ticket["timeline"] as? [[String: Any]])
        let stored = try timeline.map { try JSONSerialization.data(withJSONObject: $0, options: .sortedKeys) }
        let replayed = try jsonObjects(replay.stdoutLines).map {
            try JSONSerialization.data(withJSONObject: $0, options: .sortedKeys)
        }
        #expect(stored == replayed)

        let people = try daemon.slactl(["show", "INC-7"])
        #expect(people.status == 0)
        #expect(people.stdout.contains("INC-7") && people.stdout.contains("waiting-customer"))
    }

    @Test("ListTickets, Status and Watch through slactl; exit codes for not found and unreachable")
    func queries() throws {
        let daemon = try RunningDaemon()
        let watch = Process()
        watch.executableURL = productsDirectory.appendingPathComponent("slactl")
        watch.arguments = ["watch", "--json", "--socket", daemon.socketPath]
        let watched = Pipe()
        watch.standardOutput = watched
        try watch.run()
        defer {
            // SIGKILL: a test process may hand its children an ignored SIGTERM.
            kill(watch.processIdentifier, SIGKILL)
            watch.waitUntilExit()
        }
        // Watch registers asynchronously; open tickets until the first record shows up.
        var first: String?
        let reader = watched.fileHandleForReading
        let lineReader = LineReader(reader)
        for attempt in 0..<50 where first == nil {
            _ = try daemon.slactl(["open", "W-\(attempt)", "--priority", "P1"])
            first = lineReader.nextLine(timeout: 0.2)
        }
        let line = try #require(first)
        let record = try jsonObject(line)
        #expect(record["kind"] as? String == "due")
        // The replay output format's own key order (at, ticket, kind, ...), as slad sent it.
        #expect(line.hasPrefix(#"{"at":""#) && line.contains(#"Z","ticket":"W-"#))
        #expect((record["ticket"] as? String)?.hasPrefix("W-") == true)

        #expect(try daemon.slactl(["open", "R-1", "--priority", "P1", "--at", "2020-01-01T00:00:00Z"]).status == 0)
        let status = try jsonObject(try daemon.slactl(["status", "--json"]).stdout)
        #expect((status["open_tickets"] as? Int ?? 0) >= 2)
        #expect(status["config"] as? String == daemon.configPath)

        let list = try jsonObject(try daemon.slactl(["list", "--json", "--limit", "1"]).stdout)
        #expect((list["tickets"] as? [Any])?.count == 1)
        let atRisk = try daemon.slactl(["at-risk", "--within", "1h", "--json"])
        #expect(atRisk.status == 0)
        #expect(try daemon.slactl(["breaches", "--json"]).status == 0)

        #expect(try daemon.slactl(["show", "NOPE-1"]).status == 3)
        #expect(try daemon.slactl(["resume", "R-1"]).status == 1)
        #expect(try run("slactl", ["status", "--socket", daemon.directory + "/missing.sock"]).status == 69)
    }

    @Test("bad input gets a named error or is dropped; slad keeps serving everybody else")
    func badInput() throws {
        let daemon = try RunningDaemon()
        let client = try daemon.client()

        #expect(remoteError { try client.call("io.slad.Sla.NoSuchMethod") } == "org.varlink.service.MethodNotFound")
        #expect(remoteError { try client.call("org.example.Nothing") } == "org.varlink.service.InterfaceNotFound")
        #expect(remoteError { try client.call("io.slad.Sla.Submit", ["events": "nope"]) }
            == "org.varlink.service.InvalidParameter")
        #expect(remoteError { try client.call("io.slad.Sla.Submit", ["events": [["ticket": "X", "event": "fly"]]]) }
            == "io.slad.Sla.InvalidEvent")
        #expect(remoteError { try client.call("io.slad.Sla.GetTicket", ["ticket": 5]) }
            == "org.varlink.service.InvalidParameter")
        #expect(remoteError { try client.call("io.slad.Sla.Watch") } == "org.varlink.service.ExpectedMore")
        #expect(remoteError { try client.call("io.slad.Sla.Submit", ["events": [["ticket": "X", "event": "respond"]]]) }
            == "io.slad.Sla.UnknownTicket")

        let streaming = try RawConnection(path: daemon.socketPath)
        streaming.send(Array(#"{"method":"io.slad.Sla.Status","more":true}"#.utf8) + [0])
        #expect(streaming.receive()?.contains(#""parameter":"more""#) == true)

        let garbage = try RawConnection(path: daemon.socketPath)
        garbage.send(Array("{not json".utf8) + [0])
        #expect(garbage.receive()?.contains("org.varlink.service.InvalidParameter") == true)
        #expect(garbage.isClosedByPeer())

        let badUTF8 = try RawConnection(path: daemon.socketPath)
        badUTF8.send(Array("{\"method\":\"io.slad.Sla.Status\",\"x\":\"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8) + [0])
        #expect(badUTF8.receive()?.contains("InvalidParameter") == true)

        // A key given twice: InvalidParameter naming it, whatever depth it stands at.
        let twice = try RawConnection(path: daemon.socketPath)
        twice.send(
            Array(#"{"method":"io.slad.Sla.Submit","parameters":{"events":[{"ticket":"D","event":"open","#.utf8)
                + Array(#""priority":"P1","event":"respond"}]}}"#.utf8) + [0])
        let twiceReply = twice.receive()
        #expect(twiceReply?.contains("org.varlink.service.InvalidParameter") == true)
        #expect(twiceReply?.contains(#""parameter":"event""#) == true)
        // A NUL in a name: InvalidEvent saying which field, nothing stored.
        #expect(
            remoteError {
                try client.call(
                    "io.slad.Sla.Submit",
                    ["events": [["ticket": "N", "event": "open", "priority": "P1", "customer": "ac\u{0}me"]]])
            } == "io.slad.Sla.InvalidEvent")
        #expect(
            remoteError { try client.call("io.slad.Sla.GetTicket", ["ticket": "N"]) } == "io.slad.Sla.UnknownTicket")
        // café precomposed and decomposed in one batch: one ticket, and slad lives on.
        let accepted = try client.call(
            "io.slad.Sla.Submit",
            ["events": [
                ["ticket": "caf\u{E9}", "event": "open", "priority": "P1"],
                ["ticket": "cafe\u{301}", "event": "respond"],
            ]])
        #expect(accepted["accepted"]?.int == 2)
        #expect(try client.call("io.slad.Sla.GetTicket", ["ticket": "cafe\u{301}"])["ticket"] != nil)

        let huge = try RawConnection(path: daemon.socketPath)
        huge.send([UInt8](repeating: 0x20, count: (1 << 20) + 16))
        _ = huge.receive()
        #expect(huge.isClosedByPeer())

        // Everybody else was never disturbed.
        let status = try client.call("io.slad.Sla.Status")
        #expect(status["version"]?.string != nil)
        #expect(daemon.process?.isRunning == true)
    }

    @Test("a reader may query but not submit: PermissionDenied from peer credentials")
    func permissions() throws {
        let daemon = try RunningDaemon(extraArguments: ["--reader-group", "nogroup", "--socket-group", "nogroup"])
        let asNobody = daemon.slactlAsNobody
        // The socket's folder must let nobody through.
        chmod(daemon.directory, 0o755)
        #expect(try asNobody(["status"]).status == 0)
        let submit = try asNobody(["open", "P-1", "--priority", "P2"])
        #expect(submit.status == 4, "\(submit.stderr)")
        #expect(submit.stderr.contains("denied"))
        #expect(try daemon.slactl(["show", "P-1"]).status == 3)
    }

    @Test("SIGHUP reloads a valid file and keeps the old configuration when the new one is bad")
    func reloadOnSignal() throws {
        let daemon = try RunningDaemon()
        #expect(try daemon.slactl(["open", "H-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status == 0)
        let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (original + "\nnot-a-section: 1\n").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let refused = try daemon.slactl(["reload"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(daemon.configPath + ":"))
        try original.replacingOccurrences(of: "P1: {response: 15m, resolution: 4h}", with: "P1: {response: 15m, resolution: 5h}")
            .write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        var resolutionTarget: Int?
        for _ in 0..<100 {
            let ticket = try jsonObject(try daemon.slactl(["show", "H-1", "--json"]).stdout)["ticket"] as? [String: Any]
            resolutionTarget = ((ticket?["clocks"] as? [[String: Any]])?[1])?["target"] as? Int
            if resolutionTarget == 5 * 3600 { break }
            usleep(50_000)
        }
        #expect(resolutionTarget == 5 * 3600)
        #expect(daemon.log.contains("reload"))
        #expect(daemon.stop() == 0)
    }

    @Test("kill -9 while clients submit: every acknowledged event survives, no batch is half applied")
    func durability() throws {
        let daemon = try RunningDaemon()
        let acknowledged = Acknowledged()
        for round in 0..<3 {
            let stop = Acknowledged.Flag()
            let group = DispatchGroup()
            for client in 0..<4 {
                group.enter()
                let socket = daemon.socketPath
                Thread.detachNewThread {
                    defer { group.leave() }
                    guard let connection = try? VarlinkClient(socketPath: socket) else { return }
                    var n = 0
                    while !stop.isSet {
                        let ticket = "K\(round)-\(client)-\(n)"
                        n += 1
                        let batch: JSONValue = [
                            ["ticket": .string(ticket), "event": "open", "priority": "P3"],
                            ["ticket": .string(ticket), "event": "respond"],
                        ]
                        guard (try? connection.call("io.slad.Sla.Submit", ["events": batch])) != nil else { return }
                        acknowledged.add(ticket)
                    }
                }
            }
            usleep(UInt32.random(in: 100_000...600_000))
            daemon.kill9()
            stop.set()
            group.wait()
            try daemon.start()
        }
        let client = try daemon.client()
        let tickets = acknowledged.all
        #expect(tickets.count > 10)
        for ticket in tickets {
            let reply = try client.call("io.slad.Sla.GetTicket", ["ticket": .string(ticket)])
            let clocks = reply["ticket"]?["clocks"]?.array
            // Both events of the batch: the response clock is met.
            #expect(clocks?.first?["state"]?.string == "met", "\(ticket)")
        }
        // Tickets whose batch was not acknowledged are either whole or absent, never opened without the respond.
        let listed = try client.call("io.slad.Sla.ListTickets", ["limit": 100_000])
        for summary in listed["tickets"]?.array ?? [] {
            let ticket = summary["ticket"]?.string ?? ""
            let reply = try client.call("io.slad.Sla.GetTicket", ["ticket": .string(ticket)])
            let clocks = reply["ticket"]?["clocks"]?.array
            #expect(clocks?.first?["state"]?.string == "met", "\(ticket) is half applied")
        }
    }

    @Test("thresholds that fell due while slad was down fire once at start, marked late")
    func lateAfterRestart() throws {
        let original = try String(contentsOf: packageRoot.appendingPathComponent("config/slad.yaml"), encoding: .utf8)
        let quick = original.replacingOccurrences(
            of: "P1: {response: 15m, resolution: 4h}", with: "P1: {response: 2s, resolution: 4h}")
        let daemon = try RunningDaemon(configText: quick)
        #expect(try daemon.slactl(["open", "L-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status == 0)
        daemon.kill9()
        sleep(3)
        try daemon.start()
        for _ in 0..<2 {
            let ticket = try jsonObject(try daemon.slactl(["show", "L-1", "--json"]).stdout)["ticket"] as? [String: Any]
            let timeline = (ticket?["timeline"] as? [[String: Any]]) ?? []
            let breaches = timeline.filter { $0["kind"] as? String == "breach" && $0["clock"] as? String == "response" }
            #expect(breaches.count == 1)
            #expect(breaches.first?["late"] as? Bool == true)
            #expect(daemon.stop() == 0)
            try daemon.start()
        }
    }

    @Test("the Python varlink package talks to slad unmodified")
    func pythonClient() throws {
        let daemon = try RunningDaemon()
        let script = """
            import sys, varlink
            with varlink.Client(address="unix:" + sys.argv[1]) as client:
                with client.open("io.slad.Sla") as sla:
                    sla.Submit(events=[{"ticket": "PY-1", "event": "open", "priority": "P2"}])
                    ticket = sla.GetTicket(ticket="PY-1")
                    print(ticket["ticket"]["priority"], ticket["ticket"]["line"])
                    print(sla.Status()["open_tickets"])
            """
        // .ci/run installs the package from PyPI; a test never installs anything itself.
        let result = try run("/usr/bin/env", ["python3", "-c", script, daemon.socketPath])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutLines == ["P2 1", "1"])
    }
}

/// Tickets whose Submit was acknowledged, collected from several threads.
final class Acknowledged: @unchecked Sendable {
    private let lock = NSLock()
    private var tickets: [String] = []

    func add(_ ticket: String) { lock.withLock { tickets.append(ticket) } }
    var all: [String] { lock.withLock { tickets } }

    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }
}

/// Reads lines from a pipe with a timeout, for streaming output.
final class LineReader: @unchecked Sendable {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) { self.handle = handle }

    func nextLine(timeout: TimeInterval) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            var poller = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(remaining * 1000) + 1) > 0 else { return nil }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}
