import Foundation
import GRDB
import Logging
import SLACore
import SLAStore
import SLASystemd
import ServiceLifecycle
import ServiceLifecycleTestKit
import SLATestKit
import Synchronization
import Testing

@testable import SLADaemon

/// What a test saw, in the order it came: notifications to the service manager ("notify: ...") and
/// journal entries ("journal: PRIORITY MESSAGE_ID MESSAGE").
final class Sightings: Sendable {
    private let lines = Mutex<[String]>([])

    func add(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }

    /// Polls until a line contains `text`; false after `timeout`.
    func wait(for text: String, timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if all.contains(where: { $0.contains(text) }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }
}

/// A whole daemon in this process, as `slad` runs it: the group of Services on a real state folder
/// and socket, the journal writer and the service manager replaced by recorders.
struct GroupFixture {
    let directory: String
    let configPath: String
    var socketPath: String
    let seen = Sightings()
    let journal: JournalWriter
    let logger: Logger
    /// Run when the manager is told something, before it is recorded.
    var onNotify: @Sendable (String) -> Void = { _ in }

    init() throws {
        // Socket paths are limited to 108 bytes: a short prefix.
        directory = try makeTemporaryDirectory(prefix: "slad-life")
        configPath = directory + "/slad.yaml"
        socketPath = directory + "/io.slad.Sla"
        try String(contentsOfFile: exampleConfig, encoding: .utf8).write(
            toFile: configPath, atomically: true, encoding: .utf8)
        let seen = seen
        journal = JournalWriter { entry throws(SystemdError) in
            let fields = ["PRIORITY", "MESSAGE_ID", "MESSAGE"].map { entry.value(of: $0) ?? "-" }
            seen.add("journal: " + fields.joined(separator: " "))
        }
        let journal = journal
        logger = Logger(label: "slad") { JournalLogHandler(label: $0, writer: journal) }
    }

    var stateDirectory: String { directory + "/state" }

    func assemble(clock: any WallClock = SystemClock()) async throws -> (group: ServiceGroup, engine: EngineService) {
        let options = DaemonOptions(
            configPath: configPath, stateDirectory: stateDirectory, socketPath: socketPath, writerGroups: [],
            readerGroups: [], socketGroup: nil, journal: journal)
        let (seen, onNotify) = (seen, onNotify)
        let notifier = ServiceNotifier { state throws(SystemdError) in
            onNotify(state)
            seen.add("notify: " + state.replacingOccurrences(of: "\n", with: " "))
        }
        return try await Daemon.assemble(options, notifier: notifier, clock: clock, logger: logger)
    }

    /// Checks that every part let go: the store is closed, the host answers nothing more, the
    /// journal writer takes no entry, and the manager heard STOPPING=1.
    func expectClosed(_ engine: EngineService, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let host = try await engine.host.value()
        do {
            _ = try host.store.firedThrough()
            Issue.record("the store still answers", sourceLocation: sourceLocation)
        } catch {
            // GRDB's closed pool answers SQLITE_MISUSE.
            let closed: Bool
            switch error {
            case .closed: closed = true
            case .sqlite(_, let code, _): closed = code == 21
            default: closed = false
            }
            #expect(closed, "the store is closed: \(error)", sourceLocation: sourceLocation)
        }
        let outcome = await host.submit([event("INC-9", goldP1)], actor: 0)
        guard case .storageUnavailable = outcome else {
            Issue.record("a batch after the stop: \(outcome)", sourceLocation: sourceLocation)
            return
        }
        #expect(!journal.submit(JournalEntry(message: "late", priority: 6)), "the journal writer is closed")
        #expect(seen.all.contains { $0.contains("STOPPING=1") }, sourceLocation: sourceLocation)
        #expect(
            seen.all.contains { $0.hasSuffix(" stopped") }, "the engine's last line", sourceLocation: sourceLocation)
    }
}

/// A blocking Unix stream socket client speaking raw Varlink: it holds a call open while the group stops.
final class RawVarlinkClient: Sendable {
    let fd: Int32

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8) + [0])
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else { throw StoreError.closed(path: path) }
    }

    deinit { close(fd) }

    func send(_ text: String) {
        let bytes = Array(text.utf8) + [0]
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// The next message (without its NUL), or nil at the end of the stream.
    func receive() -> String? {
        var message: [UInt8] = []
        var byte: UInt8 = 0
        while read(fd, &byte, 1) == 1 {
            if byte == 0 { return String(decoding: message, as: UTF8.self) }
            message.append(byte)
        }
        return nil
    }

    /// Whether a message (or the end of the stream) is ready to be read within `timeout`.
    func readable(within timeout: Duration) -> Bool {
        var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000)
        return poll(&ready, 1, milliseconds) == 1
    }

    /// Whether the server has closed the connection, without waiting; reads away what is unread.
    var serverClosed: Bool {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if count == 0 { return true }
            if count < 0 { return false }
        }
    }
}

/// A wall clock whose first reading waits until the test lets it go: a recovery that lasts as long
/// as the test needs (recovery reads the clock once, after applying the log).
final class HeldClock: WallClock {
    private let asked = DispatchSemaphore(value: 0)
    private let release = DispatchSemaphore(value: 0)
    private let first = Atomic<Bool>(true)

    func now() -> Instant {
        if first.exchange(false, ordering: .relaxed) {
            asked.signal()
            release.wait()
        }
        return SystemClock().now()
    }

    /// Blocks until recovery reads the clock (it is then under way).
    func waitUntilAsked() async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.asked.wait()
                continuation.resume()
            }
        }
    }

    func letGo() { release.signal() }
}

/// Waits for the host, then for the socket to answer.
private func serving(_ fixture: GroupFixture) async -> Bool {
    await fixture.seen.wait(for: "READY=1")
}

@Suite("The daemon's life: one ServiceGroup, started in order and stopped in reverse", .serialized)
struct LifecycleTests {
    enum Stop: String, CaseIterable, Sendable {
        case gracefulShutdown, serverThrows, storeFails
    }

    @Test(
        "every stop closes the store, the committer, the maintenance pass and the journal writer",
        arguments: Stop.allCases)
    func everyStopCloses(_ stop: Stop) async throws {
        var fixture = try GroupFixture()
        if stop == .serverThrows {
            // The socket's folder cannot be made: a file is in the way.
            #expect(FileManager.default.createFile(atPath: fixture.directory + "/file", contents: nil))
            fixture.socketPath = fixture.directory + "/file/io.slad.Sla"
        }
        let (group, engine) = try await fixture.assemble()
        switch stop {
        case .gracefulShutdown:
            try await testGracefulShutdown { trigger in
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { try await group.run() }
                    #expect(await serving(fixture))
                    trigger.triggerGracefulShutdown()
                    try await tasks.waitForAll()
                }
            }
        case .serverThrows:
            await #expect(throws: CocoaError.self) { try await group.run() }
            #expect(!fixture.seen.all.contains { $0.contains("READY=1") })
        case .storeFails:
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    await #expect(throws: StoreFailure.self) { try await group.run() }
                }
                #expect(await serving(fixture))
                let host = try await engine.host.value()
                // Another process's damage: the table the events go to is gone.
                StateStore.prepareSQLite()
                try await DatabaseQueue(path: fixture.stateDirectory + "/state.sqlite").write { db in
                    try db.execute(sql: "DROP TABLE event")
                }
                let outcome = await host.submit([event("INC-1", goldP1)], actor: 0)
                guard case .storageUnavailable = outcome else {
                    Issue.record("a batch the store failed to take: \(outcome)")
                    return
                }
                try await tasks.waitForAll()
            }
            // The line that explains the stop reached the journal before the writer closed.
            let lines = fixture.seen.all
            let failed = lines.firstIndex { $0.hasPrefix("journal: 2 \(SladMessageID.storeFailed) cannot commit") }
            let stopping = lines.firstIndex { $0.contains("STOPPING=1") }
            #expect(failed != nil, "\(lines)")
            #expect(failed ?? .max < stopping ?? -1)
        }
        try await fixture.expectClosed(engine)
    }

    @Test("STOPPING=1 goes to the manager when the stop comes, before connections drain")
    func stoppingBeforeDrain() async throws {
        var fixture = try GroupFixture()
        let watcher = Mutex<RawVarlinkClient?>(nil)
        let closedAtStopping = Mutex<Bool?>(nil)
        fixture.onNotify = { state in
            guard state.hasPrefix("STOPPING=1") else { return }
            closedAtStopping.withLock { $0 = watcher.withLock { $0?.serverClosed } }
        }
        let (group, engine) = try await fixture.assemble()
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                #expect(await serving(fixture))
                let client = try RawVarlinkClient(path: fixture.socketPath)
                client.send(#"{"method":"io.slad.Sla.Watch","more":true}"#)
                // A record on the stream: the call is under way. The Watch call may not be subscribed yet
                // when the first ticket opens (its records would then go to nobody, and the next one
                // would come only with the ticket's first threshold, minutes later): open tickets until
                // one's records arrive.
                let host = try await engine.host.value()
                var first: String?
                for number in 1...100 where first == nil {
                    #expect(await host.submit([event("INC-\(number)", goldP1)], actor: 0) == .accepted(1))
                    first = try await onOwnThread {
                        client.readable(within: .milliseconds(100)) ? client.receive() : nil
                    }
                }
                #expect(first?.contains("\"ticket\":\"INC-") == true)
                watcher.withLock { $0 = client }
                trigger.triggerGracefulShutdown()
                try await tasks.waitForAll()
                #expect(closedAtStopping.withLock { $0 } == false, "the Watch call was still open at STOPPING=1")
                // Then the server ended the call and closed the connection.
                try await onOwnThread { while let message = client.receive() { _ = message } }
                #expect(client.serverClosed)
            }
        }
    }

    @Test("slad does not serve in a socket folder other users may write to, and says why")
    func untrustedSocketFolder() async throws {
        var fixture = try GroupFixture()
        let folder = fixture.directory + "/open"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
        #expect(chmod(folder, 0o777) == 0)
        fixture.socketPath = folder + "/io.slad.Sla"
        let (group, _) = try await fixture.assemble()
        let error = await #expect(throws: RecoveryError.self) { try await group.run() }
        #expect(error?.description.contains("may be written by other users") == true)
        #expect(access(fixture.socketPath, F_OK) != 0, "no socket was made")
        #expect(!fixture.seen.all.contains { $0.contains("READY=1") })
    }

    @Test("a SIGHUP during a long recovery does not kill slad: it reloads once recovery is done")
    func hangupDuringRecovery() async throws {
        let fixture = try GroupFixture()
        let clock = HeldClock()
        let (group, _) = try await fixture.assemble(clock: clock)
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                await clock.waitUntilAsked()
                kill(getpid(), SIGHUP)
                // The signal is taken while recovery still runs.
                try await Task.sleep(for: .milliseconds(200))
                #expect(!fixture.seen.all.contains { $0.contains("READY=1") })
                clock.letGo()
                #expect(await serving(fixture))
                #expect(await fixture.seen.wait(for: "reload (SIGHUP): configuration unchanged"))
                #expect(fixture.seen.all.contains { $0.contains("RELOADING=1") })
                trigger.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
        }
    }
}
