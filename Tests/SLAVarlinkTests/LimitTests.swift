import Foundation
import NIOCore
import SLAJSON
import Synchronization
import Testing

@testable import SLAVarlink

/// What all clients together, and each user, may cost the server.
@Suite("Varlink server limits across clients")
struct LimitTests {
    @Test("stalled readers together hold no more than the total budget; a reading client keeps its stream")
    func totalReplyBudget() async throws {
        let limits = VarlinkServer.Limits(maxQueuedReplyBytes: 256 << 10, maxQueuedReplyBytesTotal: 512 << 10)
        try await withServer(limits: limits) { path, server, recorder in
            let stalledCount = 6
            let peak = Atomic<Int>(0)
            let sampling = Task {
                while !Task.isCancelled {
                    let now = server.replyBudget.queuedBytes
                    if now > peak.load(ordering: .relaxed) { peak.store(now, ordering: .relaxed) }
                    try? await Task.sleep(for: .milliseconds(1))
                }
            }
            try await withClient(path) { reader in
              try await withClients(path, stalledCount) { stalled in
                for client in stalled {
                    try await client.send("io.slad.Test.Stream", ["bytes": 4096], more: true)
                }
                #expect(
                    await recorder.waitFor(seconds: 30) { _ in
                        recorder.all.filter { $0.hasPrefix("stream stopped: clientTooSlow") }.count == stalledCount
                    })
                // A client that reads still gets every reply of a long stream.
                try await reader.send("io.slad.Test.Count", ["count": 500], more: true)
                var indices: [Int64] = []
                while let reply = try await reader.receive()?.object,
                    let index = reply["parameters"]?.object?["index"]?.int
                {
                    indices.append(index)
                    if reply["continues"] != true { break }
                }
                #expect(indices == Array(0..<500))
                for client in stalled { _ = try? await client.readUntilClosed() }
              }
            }
            sampling.cancel()
            // Each connection's own bound alone would let 6 x 256 KiB pile up; the budget keeps them to
            // 512 KiB, plus at most a fair share (64 KiB) and a frame each past it.
            #expect(peak.load(ordering: .relaxed) <= (512 << 10) + stalledCount * ((64 << 10) + 8192))
            #expect(await eventually { server.replyBudget.queuedBytes == 0 }, "dropped clients give their bytes back")
        }
    }

    @Test("one uid gets so many connections, and root keeps a reserve when the rest is taken")
    func perUserAndReserve() async throws {
        try #require(geteuid() == 0, "clients of another uid need root (CI runs as root)")
        let directory = TemporaryDirectory()
        #expect(chmod(directory.path, 0o755) == 0)
        let path = directory.path + "/io.slad.Test"
        let limits = VarlinkServer.Limits(maxConnections: 6, maxConnectionsPerUser: 3, reservedConnections: 2)
        let server = VarlinkServer(service: TestService(recorder: Recorder()), limits: limits, logger: testLogger)
        try await server.bind(path: path, mode: 0o666)
        try await withThrowingTaskGroup { group in
            group.addTask { try await server.run() }
            // nobody opens 5 and holds them: 3 are served, the rest closed.
            let (first, release) = try await holdingClientsOffPool(path, uid: 65534, count: 5)
            #expect(first == [true, true, true, false, false])
            // Another uid fills what is left to non-root users: 6 - 2 reserved - 3 = 1 more.
            let (second, releaseSecond) = try await holdingClientsOffPool(path, uid: 65533, count: 2)
            #expect(second == [true, false])
            // Root still gets in, into the reserve.
            try await withClient(path) { root in
                let reply = try await root.call("io.slad.Test.Echo", ["root": true])
                #expect(reply.object?["parameters"] == ["root": true])
            }
            release()
            releaseSecond()
            await server.shutdown()
            try await group.waitForAll()
        }
    }

    @Test("lines about misbehaving clients: a burst per interval, then one line says how many were left out")
    func noticeLimit() {
        let clock = Mutex(ContinuousClock.now)
        let limiter = NoticeLimiter(burst: 3, per: .seconds(60)) { clock.withLock { $0 } }
        #expect((0..<5).map { _ in limiter.admit() } == [0, 0, 0, nil, nil])
        clock.withLock { $0 += .seconds(30) }
        #expect(limiter.admit() == nil)
        clock.withLock { $0 += .seconds(31) }
        #expect(limiter.admit() == 3, "the first line of the next interval counts the three left out")
        #expect(limiter.admit() == 0)
    }
}

/// Connects `count` clients for `body`, then closes them.
private func withClients(
    _ path: String, _ count: Int, _ body: ([TestClient]) async throws -> Void, connected: [TestClient] = []
) async throws {
    guard connected.count < count else { return try await body(connected) }
    try await withClient(path) { client in
        try await withClients(path, count, body, connected: connected + [client])
    }
}

/// Polls `condition` for up to ten seconds.
private func eventually(_ condition: () -> Bool) async -> Bool {
    for _ in 0..<1000 {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return false
}

/// A child process as `uid` opens `count` connections, calls Echo on each and reports which were
/// answered; it holds them open until the returned function is called.
/// ``holdingClients(_:uid:count:)`` on a thread of its own: it waits for the server's answers, and the
/// service answers on the cooperative pool, whose two threads a blocking wait here and an end-to-end
/// test could both take.
private func holdingClientsOffPool(_ path: String, uid: Int, count: Int) async throws -> ([Bool], @Sendable () -> Void) {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(with: Result {
                let (answers, release) = try holdingClients(path, uid: uid, count: count)
                return (answers, UnsafeRelease(release).call)
            })
        }.start()
    }
}

/// Carries the release closure (it closes a pipe and waits for the process) out of the thread.
private struct UnsafeRelease: @unchecked Sendable {
    let release: () -> Void
    init(_ release: @escaping () -> Void) { self.release = release }
    var call: @Sendable () -> Void { { [self] in release() } }
}

private func holdingClients(_ path: String, uid: Int, count: Int) throws -> ([Bool], () -> Void) {
    let script = """
        import socket, sys
        held = []
        for i in range(int(sys.argv[2])):
            s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(60)
            try:
                s.sendall(b'{"method":"io.slad.Test.Echo","parameters":{}}\\0')
                print('yes' if s.recv(4096).endswith(b'\\0') else 'no', flush=True)
            except OSError:
                print('no', flush=True)
            held.append(s)
        sys.stdin.read()
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = [
        "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "--", "/usr/bin/python3", "-c", script, path,
        "\(count)",
    ]
    let output = Pipe()
    let input = Pipe()
    process.standardOutput = output
    process.standardInput = input
    try process.run()
    var answers: [Bool] = []
    var buffer = ""
    while answers.count < count {
        let data = output.fileHandleForReading.availableData
        guard !data.isEmpty else { break }
        buffer += String(decoding: data, as: UTF8.self)
        let lines = buffer.split(separator: "\n", omittingEmptySubsequences: false)
        buffer = String(lines.last ?? "")
        answers += lines.dropLast().map { $0 == "yes" }
    }
    return (answers, {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    })
}
