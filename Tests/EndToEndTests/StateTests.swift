import Foundation
import SLAControl
import SLAJSON
import Testing

/// Runs slad to its exit, killing it after `timeout` seconds (a slad that serves when it should have
/// refused must fail the test, not hang it).
func runSladToExit(_ arguments: [String], timeout: TimeInterval = 60) throws -> ProcessResult {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("slad")
    process.arguments = arguments
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    let served = process.isRunning
    if served {
        kill(process.processIdentifier, SIGKILL)
    }
    process.waitUntilExit()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return ProcessResult(status: served ? -1 : process.terminationStatus, stdout: "", stderr: stderr)
}

/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("slad end to end: one daemon per state, damaged state refused, clean stops", .serialized, .tags(.endToEnd))
    struct StateTests {
        /// Opens `count` tickets through the socket, each acknowledged.
        private func open(_ count: Int, on daemon: RunningDaemon, prefix: String = "S") throws {
            let client = try daemon.client()
            for n in 0..<count {
                _ = try client.call(
                    "io.slad.Sla.Submit", ["events": [["ticket": .string("\(prefix)-\(n)"), "event": "open", "priority": "P3"]]])
            }
        }

        @Test("a second slad on the same state exits 75 with a sentence naming the first one's PID; the first serves on")
        func secondDaemonRefused() throws {
            let daemon = try RunningDaemon()
            let pid = try #require(daemon.process?.processIdentifier)
            let second = try runSladToExit(
                ["--config", daemon.configPath, "--state", daemon.statePath, "--socket", daemon.directory + "/second.sock"])
            #expect(second.status == 75, "\(second.stderr)")
            #expect(second.stderr.contains("in use by another slad (PID \(pid))"), "\(second.stderr)")
            try open(1, on: daemon)
            #expect(daemon.stop() == 0)
            // Once the first has stopped, the state is free again.
            try daemon.start()
        }

        @Test("the write-ahead log deleted after kill -9, with acknowledged tickets in it: slad refuses to start, exit 65")
        func lostLogRefused() throws {
            let daemon = try RunningDaemon()
            try open(100, on: daemon)
            daemon.kill9()
            let wal = daemon.statePath + "/state.sqlite-wal"
            #expect(FileManager.default.fileExists(atPath: wal))
            #expect(unlink(wal) == 0)
            unlink(daemon.statePath + "/state.sqlite-shm")
            let restarted = try runSladToExit(daemon.arguments)
            #expect(restarted.status == 65, "\(restarted.stderr)")
            #expect(restarted.stderr.contains("state.sqlite-wal was deleted or damaged"), "\(restarted.stderr)")
        }

        @Test("a state file truncated to 0 bytes: slad refuses to start, exit 65, rather than serve 0 tickets")
        func emptyFileRefused() throws {
            let daemon = try RunningDaemon()
            try open(3, on: daemon)
            #expect(daemon.stop() == 0)
            #expect(truncate(daemon.statePath + "/state.sqlite", 0) == 0)
            let restarted = try runSladToExit(daemon.arguments)
            #expect(restarted.status == 65, "\(restarted.stderr)")
            #expect(restarted.stderr.contains("empty (0 bytes)"), "\(restarted.stderr)")
        }

        @Test("a clean stop leaves no log beside state.sqlite; the file copied alone holds every acknowledged ticket")
        func cleanStopLeavesOneFile() throws {
            let daemon = try RunningDaemon()
            try open(200, on: daemon)
            #expect(daemon.stop() == 0)
            let wal = try? FileManager.default.attributesOfItem(atPath: daemon.statePath + "/state.sqlite-wal")[.size] as? Int
            #expect(wal == nil || wal == 0, "\(wal ?? 0) bytes of log left")
            let copy = try RunningDaemon(start: false)
            try FileManager.default.createDirectory(atPath: copy.statePath, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: daemon.statePath + "/state.sqlite", toPath: copy.statePath + "/state.sqlite")
            try copy.start()
            let status = try copy.client().call("io.slad.Sla.Status")
            #expect(status["open_tickets"]?.int == 200, "\(status)")
        }

        @Test("slactl backup writes a consistent copy while slad runs; it never overwrites; the copy restores")
        func backupAndRestore() throws {
            let daemon = try RunningDaemon()
            try open(50, on: daemon)
            let path = daemon.directory + "/backup.sqlite"
            let backup = try daemon.slactl(["backup", path])
            #expect(backup.status == 0, "\(backup.stderr)")
            #expect(backup.stdout.contains("state written to \(path)"), "\(backup.stdout)")
            try open(1, on: daemon, prefix: "AFTER")  // slad serves on
            let again = try daemon.slactl(["backup", path])
            #expect(again.status == 1)
            #expect(again.stderr.contains("exists"), "\(again.stderr)")

            // The restore steps of README: an emptied state directory, the copy as state.sqlite.
            let restored = try RunningDaemon(start: false)
            try FileManager.default.createDirectory(atPath: restored.statePath, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: path, toPath: restored.statePath + "/state.sqlite")
            try restored.start()
            let status = try restored.client().call("io.slad.Sla.Status")
            #expect(status["open_tickets"]?.int == 50, "\(status)")
        }
    }
}
