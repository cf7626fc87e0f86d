import CSpawnWorkaround
import Foundation
import SLAControl

/// A real `slad` process on a temporary state folder and socket, for end-to-end tests.
///
/// Socket paths are limited to 108 bytes, so the folder lives directly under /tmp.
final class RunningDaemon {
    let directory: String
    let configPath: String
    let socketPath: String
    let statePath: String
    let logPath: String
    private(set) var process: Process?
    /// Runs slad through this command (e.g. `nsenter -t PID -m --`), slad's path and arguments appended.
    var launcher: [String] = []
    /// Variables added to slad's environment.
    var environment: [String: String] = [:]

    /// Writes `configText` (default: the shipped example) and starts slad on it.
    init(configText: String? = nil, extraArguments: [String] = [], start: Bool = true) throws {
        directory = "/tmp/slad-e2e-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        configPath = directory + "/slad.yaml"
        socketPath = directory + "/io.slad.Sla"
        statePath = directory + "/state"
        logPath = directory + "/slad.log"
        let text = try configText ?? String(contentsOf: packageRoot.appendingPathComponent("config/slad.yaml"), encoding: .utf8)
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        if start { try self.start(extraArguments: extraArguments) }
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    var arguments: [String] { ["--config", configPath, "--state", statePath, "--socket", socketPath] }

    /// Starts slad and waits until its socket answers (at most `timeout` seconds).
    func start(extraArguments: [String] = [], timeout: TimeInterval = 30) throws {
        slad_spawn_workaround_applied()
        let process = Process()
        let slad = productsDirectory.appendingPathComponent("slad")
        if let command = launcher.first {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = launcher.dropFirst() + [slad.path] + arguments + extraArguments
        } else {
            process.executableURL = slad
            process.arguments = arguments + extraArguments
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if !process.isRunning {
                throw DaemonTestError("slad exited with \(process.terminationStatus) at start:\n\(self.log)")
            }
            if (try? client().call("io.slad.Sla.Status")) != nil { return }
            usleep(20_000)
        }
        throw DaemonTestError("slad did not answer on \(socketPath) within \(timeout) s:\n\(self.log)")
    }

    /// SIGKILL: no chance to flush or say goodbye.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// SIGTERM and the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? -1 }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return process.terminationStatus
    }

    func signal(_ number: Int32) {
        if let process { kill(process.processIdentifier, number) }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func client() throws -> VarlinkClient { try VarlinkClient(socketPath: socketPath) }

    /// Runs slactl against this daemon as user and group nobody (65534), with no other groups.
    func slactlAsNobody(_ arguments: [String]) throws -> ProcessResult {
        try run(
            "/usr/bin/setpriv",
            ["--reuid=65534", "--regid=65534", "--clear-groups", productsDirectory.appendingPathComponent("slactl").path]
                + arguments + ["--socket", socketPath])
    }

    /// Runs slactl against this daemon.
    func slactl(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try run("slactl", arguments + ["--socket", socketPath], stdin: stdin)
    }
}

struct DaemonTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
