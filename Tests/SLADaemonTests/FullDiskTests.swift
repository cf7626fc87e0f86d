import Foundation
import Logging
import SLACore
import SLADaemon
import SLAStore
import SLAVarlink
import Testing

/// A tmpfs of `megabytes` mounted on a fresh folder for `body`, unmounted after it.
func withSmallDisk<T>(megabytes: Int = 4, _ body: (String) async throws -> T) async throws -> T {
    let mountPoint = try temporaryDirectory() + "/disk"
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    let mount = Process()
    mount.executableURL = URL(fileURLWithPath: "/bin/mount")
    mount.arguments = ["-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", mountPoint]
    try mount.run()
    mount.waitUntilExit()
    guard mount.terminationStatus == 0 else { throw FullDiskError("mount exited with \(mount.terminationStatus)") }
    defer {
        let umount = Process()
        umount.executableURL = URL(fileURLWithPath: "/bin/umount")
        umount.arguments = ["-l", mountPoint]
        try? umount.run()
        umount.waitUntilExit()
    }
    return try await body(mountPoint)
}

/// Fills the file system of `directory` to its last byte; returns the filler, to free it.
func fill(_ directory: String) throws -> String {
    let path = directory + "/filler"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { throw FullDiskError("cannot create \(path)") }
    defer { close(fd) }
    let chunk = [UInt8](repeating: 0x55, count: 64 << 10)
    var size = chunk.count
    while size > 0 {
        let written = chunk.withUnsafeBytes { write(fd, $0.baseAddress, size) }
        if written < 0 {
            guard errno == ENOSPC else { throw FullDiskError("write: errno \(errno)") }
            size /= 2  // the last blocks, down to a byte
        }
    }
    return path
}

/// A lock-protected value for tests that collect from several threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        try lock.withLock { try body(&value) }
    }

    var current: Value { withLock { $0 } }
}

struct FullDiskError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` for up to 20 s; false when it never held.
func eventually(_ condition: () async -> Bool) async -> Bool {
    for _ in 0..<2_000 {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

@Suite(
    "A full disk: slad stays up", .serialized,
    .enabled(if: getuid() == 0, "mounting a small tmpfs needs root (CI runs the tests as root)"))
struct FullDiskTests {
    @Test("Submit answers StorageUnavailable, reads go on, fired records are held and committed once there is space")
    func staysUp() async throws {
        try await withSmallDisk { disk in
            var fixture = try HostFixture(stateDirectory: disk + "/state")
            fixture.fullDisk = GroupCommitter.FullDisk(retryInterval: .milliseconds(20))
            var host = try fixture.open()
            let watched = Locked<[String]>([])
            let stream = fixture.feed.watch()
            let feed = Task { for await line in stream { watched.withLock { $0.append(line) } } }
            defer { feed.cancel() }
            #expect(await host.submit([event("INC-1", goldP1)], actor: 0) == .accepted(1))
            let filler = try fill(disk)

            // Half of gold P1's 15-minute response: the 50 % warning fires and cannot be committed.
            fixture.clock.advance(seconds: 8 * 60)
            host.fireDueNow()
            #expect(await eventually { host.storageProblem != nil })
            let outcome = await host.submit([event("INC-2", goldP1)], actor: 0)
            guard case .storageUnavailable(let reason) = outcome else {
                Issue.record("Submit on a full disk: \(outcome)")
                return
            }
            #expect(reason.contains("full"), "\(reason)")
            // On the socket: the named error, with the reason.
            let service = ControlService(
                host: host, feed: fixture.feed, access: AccessPolicy(writerGroups: [], readerGroups: []),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
            let call = VarlinkCall(
                method: "io.slad.Sla.Submit", parameters: ["events": [["ticket": "INC-3", "event": "open", "priority": "P1"]]])
            let answer = await withCheckedContinuation { continuation in
                _ = service.answerDirectly(call, peer: PeerCredentials(pid: 1, uid: 0, gid: 0)) {
                    continuation.resume(returning: $0)
                }
            }
            guard case .failure(let error) = answer else {
                Issue.record("Submit on a full disk answered \(answer)")
                return
            }
            #expect(error.name == "io.slad.Sla.StorageUnavailable")
            #expect(error.parameters["reason"] == .string(reason))
            // Reads are served: the engine's state and the stored timeline.
            #expect(await host.ticket("INC-1") != nil)
            #expect(await host.ticket("INC-2") == nil)
            let stored = try host.store.timeline(ticket: "INC-1", limit: nil)
            #expect(!stored.contains { $0.contains("\"kind\":\"warning\"") })
            fixture.clock.advance(seconds: 4 * 60)
            host.fireDueNow()  // the 75 % warning, held too
            #expect(!watched.current.contains { $0.contains("\"kind\":\"warning\"") })

            #expect(unlink(filler) == 0)
            #expect(await eventually { host.storageProblem == nil })
            host.drain()
            let timeline = try host.store.timeline(ticket: "INC-1", limit: nil)
            // Gold's 50 % and 75 % of the response clock, and the desk OLA's 75 %: all fired while the disk
            // was full, all durable now, and watchers got them once committed.
            let warnings = timeline.filter { $0.contains("\"kind\":\"warning\"") }
            #expect(warnings.count == 3, "\(timeline)")
            #expect(warnings.contains { $0.contains("\"clock\":\"response\"") && $0.contains("\"percent\":50") })
            #expect(await eventually { watched.current.filter { $0.contains("\"kind\":\"warning\"") } == warnings })
            #expect(await host.submit([event("INC-2", goldP1)], actor: 0) == .accepted(1))

            host.stop()
            host = try fixture.open()
            #expect(try host.store.timeline(ticket: "INC-1", limit: nil) == timeline)
            #expect(await host.status().openTickets == 2)
            host.stop()
        }
    }

    @Test("past the records it may hold, the committer fails them with the full disk's error; before, it holds them")
    func bounded() async throws {
        try await withSmallDisk { disk in
            let store = try StateStore(directory: disk + "/state")
            let states = Locked<[GroupCommitter.Storage]>([])
            let committer = GroupCommitter(
                store: store, fullDisk: GroupCommitter.FullDisk(retryInterval: .milliseconds(20), capacity: 3),
                onStorage: { state in states.withLock { $0.append(state) } }, onCommitted: { _ in })
            let results = Locked<[Int: Result<Void, StoreError>]>([:])
            let filler = try fill(disk)
            func submit(_ number: Int) {
                let record = StoredRecord(
                    record: TimelineRecord(
                        at: monday, ticket: "T-\(number)", kind: .breach(.response, agreement: "gold")))
                committer.submit(CommitUnit(log: [], records: [record])) { result in
                    results.withLock { $0[number] = result }
                }
            }
            for number in 0..<3 { submit(number) }
            #expect(await eventually { !states.current.isEmpty })
            try await Task.sleep(for: .milliseconds(100))
            #expect(results.current.isEmpty, "held units were answered: \(results.current)")
            submit(3)  // the fourth record: past the bound
            #expect(await eventually { results.current.count == 4 })
            for (_, result) in results.current {
                guard case .failure(let error) = result else {
                    Issue.record("a unit committed on a full disk")
                    continue
                }
                #expect(error.isStorageFull, "\(error)")
            }
            unlink(filler)
            committer.close()
            try store.close()
        }
    }
}
