import Foundation
import SLAControl
import SLAJSON
import Testing

/// The example configuration with a P1 gold response target of `seconds` and a hierarchical rule
/// on the response clock at 50 %, so that one ticket goes through warning, management and breach
/// within seconds.
func quickConfig(responseSeconds seconds: Int) throws -> String {
    let original = try String(contentsOf: packageRoot.appendingPathComponent("config/slad.yaml"), encoding: .utf8)
    return original.replacingOccurrences(
        of: "P1: {response: 15m, resolution: 4h}", with: "P1: {response: \(seconds)s, resolution: 4h}"
    ).replacingOccurrences(
        of: "  hierarchical:\n", with: "  hierarchical:\n    - {clock: response, at: 50%, notify: duty-manager}\n")
}

let isRoot = geteuid() == 0

/// The MESSAGE_IDs of slad's entries, as systemd/slad.catalog and Sources/SLADaemon/JournalRecords.swift have them.
enum MessageID {
    static let due = "3d62562748db4385bead91420f5fa5ef"
    static let warning = "1fc5c91909d340439a6e5ac6952e6236"
    static let breach = "c8cb0a30ebd64406a9fc6ea855f5d4a8"
    static let met = "38472db0974a409d8cc33e9f5b5b2fa9"
    static let functional = "58eea3a7653f4dc28f6af1f1c041c82f"
    static let hierarchical = "7721bd50623e49a9ad0e9560bf5e7824"
    static let start = "bce7aba47ac145c3b782ccdf9ba341db"
    static let recovery = "f6c0de2f86034c5399a70606803127ef"
    static let ready = "8cb850826f3a401fb450c3ec2bde3923"
    static let reloadApplied = "0e7c6d1256a745769d8572612dc221ef"
    static let reloadRefused = "0342939fe63a4d6fa000a963cdfe679e"
    static let shutdown = "0a99c4d7b06d47a38c4b968a5c321b47"
}

/// systemd: a real journald, sd_notify, socket activation, the units.
///
/// In the serialized `DaemonTests` suite rather than a suite of their own: these tests block a
/// thread while they wait for real processes, as the daemon tests do, and two such suites side by
/// side would take both of a two-core machine's cooperative threads from the async tests.
extension DaemonTests {
    @Test(
        "timeline records and lifecycle events are structured journal entries with catalogued MESSAGE_IDs",
        .enabled(if: isRoot, "journald in a private mount namespace needs root"))
    func journalEntries() throws {
        let journald = try PrivateJournald()
        let daemon = try RunningDaemon(configText: try quickConfig(responseSeconds: 4), start: false)
        daemon.launcher = journald.launcher
        // A configuration path with a newline and a control byte (tickets are printable text): the
        // values that carry it are sent safely and read back byte for byte.
        let oddConfig = daemon.directory + "/odd\nname\u{1}.yaml"
        try FileManager.default.createSymbolicLink(atPath: oddConfig, withDestinationPath: daemon.configPath)
        try daemon.start(extraArguments: ["--log-target", "journal", "--config", oddConfig])
        #expect(
            try daemon.slactl(["open", "J-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status
                == 0)

        let breaches = try journald.waitForEntries(["SLAD_TICKET=J-1", "SLAD_KIND=breach"])
        let breach = try #require(breaches.first)
        #expect(field(breach, "MESSAGE_ID") == MessageID.breach)
        #expect(field(breach, "PRIORITY") == "4")
        #expect(field(breach, "SLAD_CLOCK") == "response")
        #expect(field(breach, "SLAD_AGREEMENT") == "gold")
        #expect(field(breach, "SLAD_PRIORITY") == "P1")
        #expect(field(breach, "MESSAGE") == "J-1: the response clock under gold is breached")
        #expect(field(breach, "SLAD_LATE") == nil)

        #expect(try daemon.slactl(["assign", "J-1", "--line", "4"]).status == 0)
        let escalations = try journald.waitForEntries(["SLAD_TICKET=J-1", "MESSAGE_ID=\(MessageID.functional)"])
        let escalation = try #require(escalations.first)
        #expect(field(escalation, "PRIORITY") == "3")
        #expect(field(escalation, "SLAD_KIND") == "escalate")
        #expect(field(escalation, "SLAD_LINE") == "1")
        #expect(field(escalation, "SLAD_TARGET") == "4")

        // journalctl SLAD_TICKET=J-1 is the ticket's history, each kind with its id and priority.
        let history = try journald.entries(["SLAD_TICKET=J-1"])
        let expected: [String: (id: String, priority: String)] = [
            "due": (MessageID.due, "6"), "warning": (MessageID.warning, "5"), "breach": (MessageID.breach, "4"),
            "met": (MessageID.met, "6"),
        ]
        for entry in history {
            #expect(field(entry, "SLAD_PRIORITY") == "P1")
            #expect(field(entry, "SYSLOG_IDENTIFIER") == "slad")
            if let kind = field(entry, "SLAD_KIND"), let want = expected[kind] {
                #expect(field(entry, "MESSAGE_ID") == want.id, "\(kind)")
                #expect(field(entry, "PRIORITY") == want.priority, "\(kind)")
            }
            if field(entry, "SLAD_KIND") == "due" { #expect(field(entry, "SLAD_DUE")?.hasSuffix("Z") == true) }
            if field(entry, "SLAD_KIND") == "warning" { #expect(field(entry, "SLAD_PERCENT") != nil) }
            for name in entry.keys where !name.hasPrefix("_") {
                #expect(
                    name.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == 95 }, "\(name)")
            }
        }
        #expect(Set(history.compactMap { field($0, "SLAD_KIND") }) == ["due", "warning", "breach", "met", "escalate"])
        let management = history.filter { field($0, "MESSAGE_ID") == MessageID.hierarchical }
        #expect(management.count == 1)
        #expect(management.first.map { field($0, "PRIORITY") } == "2")
        #expect(management.first.map { field($0, "SLAD_TARGET") } == "duty-manager")
        #expect(management.first.map { field($0, "SLAD_PERCENT") } == "50")
        // Status counts what went to the journal, so an operator sees when journald drops records.
        let status = try jsonObject(try daemon.slactl(["status", "--json"]).stdout)
        let counts = try #require(status["journal"] as? [String: Any])
        #expect((counts["written"] as? Int ?? 0) >= history.count)
        #expect(counts["dropped"] as? Int == 0)
        #expect(counts["failed"] as? Int == 0)

        let started = try journald.waitForEntries(["MESSAGE_ID=\(MessageID.start)", "CONFIG=\(oddConfig)"])
        #expect(started.count == 1)
        #expect(started.first.map { field($0, "CONFIG") } == oddConfig)

        // A refused reload: a multi-line MESSAGE, at warning.
        let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (original + "\nnot-a-section: 1\n").write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
        daemon.signal(SIGHUP)
        let refused = try #require(try journald.waitForEntries(["MESSAGE_ID=\(MessageID.reloadRefused)"]).first)
        #expect(field(refused, "PRIORITY") == "4")
        #expect(field(refused, "MESSAGE")?.contains("\n\(oddConfig):") == true)
        #expect(field(refused, "SLAD_CONFIG") == oddConfig)
        #expect(field(refused, "SLAD_ERRORS")?.hasPrefix("\(oddConfig):") == true)

        #expect(daemon.stop() == 0)
        for (id, priority) in [(MessageID.start, "6"), (MessageID.ready, "5"), (MessageID.shutdown, "5")] {
            let entry = try journald.waitForEntries(["MESSAGE_ID=\(id)"]).first
            #expect(entry.map { field($0, "PRIORITY") } == priority, "\(id)")
        }

        // journalctl -x explains the breach from the catalog, with the entry's fields filled in.
        let explained = try journald.explained(["SLAD_TICKET=J-1", "SLAD_KIND=breach"])
        #expect(explained.contains("Subject: Ticket J-1: the response clock under gold is breached"), "\(explained)")
        #expect(explained.contains("the agreement gold is breached for this ticket"))
        #expect(explained.contains("journalctl SLAD_TICKET=J-1"))
    }

    @Test(
        "late records after a restart carry SLAD_LATE=1; the recovery entry counts them",
        .enabled(if: isRoot, "journald in a private mount namespace needs root"))
    func lateRecords() throws {
        let journald = try PrivateJournald()
        let daemon = try RunningDaemon(configText: try quickConfig(responseSeconds: 2), start: false)
        daemon.launcher = journald.launcher
        try daemon.start(extraArguments: ["--log-target", "journal"])
        #expect(
            try daemon.slactl(["open", "L-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status
                == 0)
        daemon.kill9()
        // Wait for real time to pass the due instant while slad is down.
        let due = Date().addingTimeInterval(3)
        while Date() < due { usleep(100_000) }
        try daemon.start(extraArguments: ["--log-target", "journal"])
        let late = try journald.waitForEntries(["SLAD_TICKET=L-1", "SLAD_LATE=1", "SLAD_KIND=breach"])
        #expect(late.count == 1)
        #expect(late.first.map { field($0, "MESSAGE")?.contains("fired late") == true } == true)
        let recovery = try journald.waitForEntries(["MESSAGE_ID=\(MessageID.recovery)"])
        let count = try #require(recovery.first.flatMap { field($0, "SLAD_LATE_RECORDS") }.flatMap(Int.init))
        #expect(count >= 2)  // at least the warning(s) and the breach
        #expect(recovery.first.map { field($0, "PRIORITY") } == "4")
    }

    @Test(
        "journald killed mid-run: slad keeps serving and its clocks keep firing",
        .enabled(if: isRoot, "journald in a private mount namespace needs root"))
    func journaldKilled() throws {
        let journald = try PrivateJournald()
        let daemon = try RunningDaemon(configText: try quickConfig(responseSeconds: 3), start: false)
        daemon.launcher = journald.launcher
        try daemon.start(extraArguments: ["--log-target", "journal"])
        #expect(
            try daemon.slactl(["open", "K-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status
                == 0)
        _ = try journald.waitForEntries(["SLAD_TICKET=K-1"])
        journald.kill()
        let client = try daemon.client()
        let started = Date()
        for n in 0..<50 {
            _ = try client.call(
                "io.slad.Sla.Submit", ["events": [["ticket": .string("K-\(n + 2)"), "event": "open", "priority": "P2"]]])
        }
        #expect(Date().timeIntervalSince(started) < 10)
        // The breach fires on time although nobody takes journal entries any more.
        let deadline = Date().addingTimeInterval(20)
        var breached = false
        while !breached && Date() < deadline {
            let reply = try client.call("io.slad.Sla.GetTicket", ["ticket": "K-1"])
            let timeline = reply["ticket"]?["timeline"]?.array ?? []
            breached = timeline.contains { $0["kind"]?.string == "breach" && $0["late"] == nil }
            if !breached { usleep(100_000) }
        }
        #expect(breached)
        #expect((try client.call("io.slad.Sla.Status"))["open_tickets"]?.int == 51)
        #expect(daemon.stop() == 0)
    }

    @Test("sd_notify: READY once serving, STATUS, RELOADING with MONOTONIC_USEC then READY, WATCHDOG, STOPPING")
    func notify() throws {
        let daemon = try RunningDaemon(start: false)
        let notify = try NotifySocket(path: daemon.directory + "/notify")
        daemon.environment = ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "1000000"]
        // WATCHDOG_PID must be slad's own pid: the shell execs slad, keeping its pid.
        daemon.launcher = ["/bin/sh", "-c", "WATCHDOG_PID=$$ exec \"$@\"", "sh"]
        try daemon.start()
        let ready = try #require(notify.wait { assignments($0)["READY"] == "1" })
        // READY=1 only when the socket serves: a call right after it is answered.
        #expect((try daemon.client().call("io.slad.Sla.Status"))["version"] != nil)
        let status = try #require(assignments(ready)["STATUS"])
        #expect(
            status.range(of: #"^0 open, 0 breached, nothing due$"#, options: .regularExpression) != nil, "\(status)")

        // Pings every half interval (0.5 s), from the timer loop.
        let pingsFrom = Date()
        #expect(notify.wait(timeout: 5) { $0 == "WATCHDOG=1" } != nil)
        #expect(notify.wait(timeout: 5) { $0 == "WATCHDOG=1" } != nil)
        #expect(Date().timeIntervalSince(pingsFrom) < 3)

        #expect(
            try daemon.slactl(["open", "N-1", "--priority", "P1", "--service", "mail", "--customer", "acme"]).status
                == 0)
        let refreshed = notify.wait { assignments($0)["STATUS"]?.hasPrefix("1 open, 0 breached, next due") == true }
        #expect(refreshed != nil)

        for trigger in ["SIGHUP", "Reload"] {
            var before = timespec()
            clock_gettime(CLOCK_MONOTONIC, &before)
            if trigger == "SIGHUP" { daemon.signal(SIGHUP) } else { #expect(try daemon.slactl(["reload"]).status == 0) }
            let reloading = try #require(notify.wait { assignments($0)["RELOADING"] == "1" }, "\(trigger)")
            let usec = try #require(assignments(reloading)["MONOTONIC_USEC"].flatMap(UInt64.init))
            let beforeUsec = UInt64(before.tv_sec) * 1_000_000 + UInt64(before.tv_nsec) / 1000
            #expect(usec >= beforeUsec && usec < beforeUsec + 10_000_000, "\(trigger)")
            #expect(notify.wait { assignments($0)["READY"] == "1" } != nil, "\(trigger)")
        }

        #expect(daemon.stop() == 0)
        #expect(notify.wait(timeout: 5) { assignments($0)["STOPPING"] == "1" } != nil)
    }

    @Test("no WATCHDOG=1 once the engine's queue is stuck (debug-build test hook)")
    func watchdogStopsWhenStuck() throws {
        let daemon = try RunningDaemon(start: false)
        let notify = try NotifySocket(path: daemon.directory + "/notify")
        daemon.environment = ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000", "SLAD_TEST_HOOKS": "1"]
        daemon.launcher = ["/bin/sh", "-c", "WATCHDOG_PID=$$ exec \"$@\"", "sh"]
        try daemon.start()
        #expect(notify.wait(timeout: 5) { $0 == "WATCHDOG=1" } != nil)
        daemon.signal(SIGUSR2)
        // A ping already on its way may still arrive; after that, none for ten intervals' halves.
        var last = Date()
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, Date().timeIntervalSince(last) < 2 {
            if notify.next(timeout: 0.1) == "WATCHDOG=1" { last = Date() }
        }
        #expect(Date().timeIntervalSince(last) >= 2, "slad kept pinging with its engine stuck")
        // What systemd does on a missed ping (it sends WatchdogSignal=, SIGABRT by default): the
        // stuck queue would never let SIGTERM's clean stop finish.
        daemon.kill9()
    }

    @Test("a watchdog for another pid (WATCHDOG_PID) is not slad's: no pings")
    func watchdogOtherPid() throws {
        let daemon = try RunningDaemon(start: false)
        let notify = try NotifySocket(path: daemon.directory + "/notify")
        daemon.environment = ["NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "200000", "WATCHDOG_PID": "1"]
        try daemon.start()
        #expect(notify.wait(timeout: 10) { assignments($0)["READY"] == "1" } != nil)
        #expect(notify.wait(timeout: 1) { $0 == "WATCHDOG=1" } == nil)
        #expect(daemon.stop() == 0)
    }

    @Test(
        "socket activation: systemd-socket-activate passes the socket named varlink; a client queued before slad ran is served"
    )
    func socketActivation() throws {
        let daemon = try RunningDaemon(start: false)
        let activated = daemon.directory + "/activated.sock"
        daemon.launcher = ["/usr/bin/systemd-socket-activate", "-l", activated, "--fdname=varlink"]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemon.launcher[0])
        process.arguments =
            Array(daemon.launcher.dropFirst()) + [productsDirectory.appendingPathComponent("slad").path]
            + daemon.arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: activated) && Date() < deadline { usleep(10_000) }
        // This connection is what makes systemd-socket-activate start slad: it waits in the backlog.
        let client = try VarlinkClient(socketPath: activated)
        let status = try client.call("io.slad.Sla.Status")
        #expect(status["version"]?.string != nil)
        _ = try client.call("io.slad.Sla.Submit", ["events": [["ticket": "SA-1", "event": "open", "priority": "P2"]]])
        // A second client (not slactl: Foundation cannot reap another child while it waits on the
        // activator, which exec'd slad after it was spawned).
        let ticket = try VarlinkClient(socketPath: activated).call("io.slad.Sla.GetTicket", ["ticket": "SA-1"])
        #expect(ticket["ticket"]?["priority"]?.string == "P2")
        // slad served the passed socket and bound nothing of its own.
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
    }

    @Test("systemd-analyze verify prints nothing for slad.service, slad.socket and slad-http.socket")
    func verifyUnits() throws {
        let folder = try unitCopies()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try run(
            "/usr/bin/systemd-analyze",
            ["verify", "--man=no", folder + "/slad.service", folder + "/slad.socket", folder + "/slad-http.socket"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty && result.stderr.isEmpty, "\(result.stdout)\(result.stderr)")
    }

    @Test("systemd-analyze security scores slad.service 1.5 or lower")
    func securityScore() throws {
        let folder = try unitCopies()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try run("/usr/bin/systemd-analyze", ["security", "--offline=true", folder + "/slad.service"])
        let line = try #require(result.stdout.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(
            line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }, "\(line)")
        #expect(score <= 1.5, "\(line)")
    }

    @Test("the sysusers.d file makes slad, slad-readers and slad-writers", .enabled(if: isRoot, "--root needs root"))
    func sysusers() throws {
        let root = "/tmp/slad-sysusers-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let result = try run(
            "/usr/bin/systemd-sysusers",
            ["--root=" + root, packageRoot.appendingPathComponent("systemd/slad.sysusers").path])
        #expect(result.status == 0, "\(result.stderr)")
        let groups = try String(contentsOfFile: root + "/etc/group", encoding: .utf8)
        let users = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
        for group in ["slad", "slad-readers", "slad-writers"] {
            #expect(groups.contains("\n\(group):") || groups.hasPrefix("\(group):"))
        }
        #expect(users.contains("slad:x:") && users.contains(":/var/lib/slad:"))
    }

    /// The units in a temporary folder, ExecStart= pointing at the built slad (verify checks that
    /// the program exists; the installed path is /usr/local/bin/slad).
    private func unitCopies() throws -> String {
        let folder = "/tmp/slad-units-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = packageRoot.appendingPathComponent("systemd")
        let service = try String(contentsOf: source.appendingPathComponent("slad.service"), encoding: .utf8)
        #expect(service.contains("ExecStart=/usr/local/bin/slad "))
        try service.replacingOccurrences(
            of: "ExecStart=/usr/local/bin/slad ",
            with: "ExecStart=\(productsDirectory.appendingPathComponent("slad").path) "
        ).write(toFile: folder + "/slad.service", atomically: true, encoding: .utf8)
        for unit in ["slad.socket", "slad-http.socket"] {
            try FileManager.default.copyItem(atPath: source.appendingPathComponent(unit).path, toPath: folder + "/" + unit)
        }
        return folder
    }
}
