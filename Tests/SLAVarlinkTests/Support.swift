import Dispatch
import Logging
import NIOCore
import NIOPosix
import SLAJSON
import Synchronization
import Testing

@testable import SLAVarlink

#if canImport(Glibc)
import Glibc
#endif

/// What the test service saw, for tests to wait on.
final class Recorder: Sendable {
    private let entries = Mutex<[String]>([])

    func record(_ entry: String) {
        self.entries.withLock { $0.append(entry) }
    }

    var all: [String] { self.entries.withLock { $0 } }

    /// Waits until an entry satisfying `predicate` is recorded; false after `seconds`.
    func waitFor(seconds: Double = 30, _ predicate: (String) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if self.all.contains(where: predicate) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return false
    }
}

/// Lets `count` tasks wait for each other: `arrive()` returns once all have arrived.
final class Barrier: Sendable {
    private struct State {
        var arrived = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let count: Int
    private let state = Mutex(State())

    init(count: Int) {
        self.count = count
    }

    func arrive() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let released = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.arrived += 1
                state.waiters.append(continuation)
                guard state.arrived == self.count else { return [] }
                defer { state.waiters = [] }
                return state.waiters
            }
            for waiter in released { waiter.resume() }
        }
    }
}

/// A small service for the server tests: `io.slad.Test`, one method per behaviour under test.
struct TestService: VarlinkService {
    static let description = """
        # Methods for the Varlink server tests.
        interface io.slad.Test

        method Echo(value: ?object) -> (value: ?object)
        """

    let recorder: Recorder

    var interfaces: [(name: String, description: String)] { [("io.slad.Test", Self.description)] }
    var vendor: String { "slad project" }
    var product: String { "slad test" }
    var version: String { "0.0.1" }
    var url: String { "https://example.invalid/slad" }

    /// `Direct` is answered without a task, from another thread after `ms` milliseconds (echoing its
    /// parameters with `via: direct`), unless `fallback` is set: then it goes through `handle`.
    func answerDirectly(
        _ call: VarlinkCall, peer: PeerCredentials, answer: @escaping @Sendable (VarlinkDirectAnswer) -> Void
    ) -> Bool {
        guard call.methodName == "Direct", call.parameters["fallback"] != .bool(true) else { return false }
        self.recorder.record("direct started \(call.parameters["i"]?.int ?? -1)")
        var parameters = call.parameters
        parameters["via"] = "direct"
        let reply = parameters
        let delay = Int(call.parameters["ms"]?.int ?? 0)
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delay)) {
            if call.parameters["fail"] == .bool(true) {
                answer(.failure(VarlinkError(name: "io.slad.Test.Refused", parameters: reply)))
            } else {
                answer(.success(reply))
            }
        }
        return true
    }

    func handle(_ call: VarlinkCall, peer: PeerCredentials, replies: VarlinkReplies) async {
        do {
            try await self.answer(call, peer: peer, replies: replies)
        } catch {
            self.recorder.record("\(call.methodName) error: \(error)")
        }
    }

    private func answer(_ call: VarlinkCall, peer: PeerCredentials, replies: VarlinkReplies) async throws {
        switch call.methodName {
        case "Echo":
            try await replies.reply(call.parameters)
        case "Direct":
            var parameters = call.parameters
            parameters["via"] = "task"
            try await replies.reply(parameters)
        case "Whoami":
            var who: [String: JSONValue] = [
                "pid": .int(Int64(peer.pid)), "uid": .int(Int64(peer.uid)), "gid": .int(Int64(peer.gid)),
            ]
            if call.parameters["groups"] == true {
                who["groups"] = peer.groups.map { .array($0.map { .int(Int64($0)) }) } ?? .null
            }
            try await replies.reply(who)
        case "Slow":
            self.recorder.record("slow started")
            try await Task.sleep(for: .milliseconds(call.parameters["ms"]?.int ?? 100))
            try await replies.reply(["slow": true])
        case "Count":
            let count = call.parameters["count"]?.int ?? 3
            for index in 0..<count {
                try await replies.reply(["index": .int(index)], continues: call.more && index < count - 1)
                if !call.more { break }
            }
        case "ContinuesWithoutMore":
            do {
                try await replies.reply(["first": true], continues: true)
            } catch let error as VarlinkReplyError {
                self.recorder.record("refused: \(error.code)")
            }
            try await replies.reply(["last": true])
            do {
                try await replies.reply(["after": true])
            } catch let error as VarlinkReplyError {
                self.recorder.record("refused: \(error.code)")
            }
        case "Wait":
            // A Watch-like method: says it is ready, then streams nothing until the client goes.
            guard call.more else { return try await replies.fail(.expectedMore) }
            try await replies.reply(["ready": true], continues: true)
            self.recorder.record("waiting")
            await replies.clientGone()
            self.recorder.record("gone")
        case "Stream":
            // A Watch feeding a client that may not read: replies until the server refuses more.
            let chunk = String(repeating: "x", count: Int(call.parameters["bytes"]?.int ?? 4096))
            var sent = 0
            do {
                while true {
                    try await replies.reply(["chunk": .string(chunk), "n": .int(Int64(sent))], continues: true)
                    sent += 1
                    await Task.yield()
                }
            } catch let error as VarlinkReplyError {
                self.recorder.record("stream stopped: \(error.code) after \(sent)")
            }
            await replies.clientGone()
            self.recorder.record("gone")
        case "Raw":
            try await replies.reply(["record": .raw(call.parameters["text"]?.string ?? "null")])
        case "Note":
            self.recorder.record("note: \(call.parameters["text"]?.string ?? "")")
            try await replies.reply(["noted": true])
        case "Silent":
            return
        default:
            try await replies.fail(.methodNotFound(call.method))
        }
    }
}

/// A fresh directory for one test's sockets, removed when the test ends.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() {
        var template = Array("/tmp/slad-varlink-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        self.path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit {
        if let directory = opendir(self.path) {
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) {
                    String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name != "." && name != ".." { unlink(self.path + "/" + name) }
            }
            closedir(directory)
        }
        rmdir(self.path)
    }
}

let testLogger: Logger = {
    var logger = Logger(label: "slad.varlink.tests")
    // SLAD_TEST_LOG=trace shows what the server does while a test runs.
    logger.logLevel = ProcessInfoLevel.fromEnvironment ?? .critical
    return logger
}()

/// Runs a server for `body` on a socket in a temporary directory, then shuts it down.
func withServer<Result: Sendable>(
    limits: VarlinkServer.Limits = .init(),
    recorder: Recorder = Recorder(),
    _ body: (_ path: String, _ server: VarlinkServer, _ recorder: Recorder) async throws -> Result
) async throws -> Result {
    let directory = TemporaryDirectory()
    let path = directory.path + "/io.slad.Test"
    let server = VarlinkServer(service: TestService(recorder: recorder), limits: limits, logger: testLogger)
    try await server.bind(path: path)
    return try await withThrowingTaskGroup { group in
        group.addTask { try await server.run() }
        do {
            let result = try await withTimeout { try await body(path, server, recorder) }
            await server.shutdown()
            try await group.waitForAll()
            return result
        } catch {
            await server.shutdown()
            group.cancelAll()
            throw error
        }
    }
}

enum ProcessInfoLevel {
    static var fromEnvironment: Logger.Level? {
        getenv("SLAD_TEST_LOG").flatMap { Logger.Level(rawValue: String(cString: $0)) }
    }
}

struct TimedOut: Error, CustomStringConvertible {
    var description: String { "the test did not finish in time" }
}

/// Fails the test rather than hanging it when a behaviour under test breaks and a reply never comes.
/// Generous, because a loaded CI machine has stalled every test of the process for 20 seconds at once.
func withTimeout<Result: Sendable>(
    seconds: Int = 90,
    _ body: () async throws -> Result
) async throws -> Result {
    try await withoutActuallyEscaping(body) { body in
        let body = UnsafeSendableBox(body)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body.value() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                return nil
            }
            defer { group.cancelAll() }
            guard case .some(.some(let result)) = try await group.next() else { throw TimedOut() }
            return result
        }
    }
}

/// Carries the test body into the timeout's child task; the body runs there alone.
struct UnsafeSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A Varlink client for the tests: raw bytes out, frames in.
final class TestClient {
    private var frames: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.frames = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Sends bytes as they are: no NUL is added.
    func sendBytes(_ bytes: [UInt8]) async throws {
        try await self.outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Sends one message: the text and its NUL.
    func sendText(_ text: String) async throws {
        try await self.sendBytes(Array(text.utf8) + [0])
    }

    /// Sends one call.
    func send(
        _ method: String,
        _ parameters: [String: JSONValue] = [:],
        more: Bool = false,
        oneway: Bool = false
    ) async throws {
        var call: [String: JSONValue] = ["method": .string(method), "parameters": .object(parameters)]
        if more { call["more"] = true }
        if oneway { call["oneway"] = true }
        try await self.sendText(JSONValue.object(call).encodedString())
    }

    /// The next frame's text; nil when the server has closed the connection.
    func receiveText() async throws -> String? {
        guard let frame = try await self.frames.next() else { return nil }
        return String(buffer: frame)
    }

    /// The next reply, parsed; nil when the server has closed the connection.
    func receive() async throws -> JSONValue? {
        guard let text = try await self.receiveText() else { return nil }
        return try JSONValue.decode(text)
    }

    /// Sends a call and returns its (single) reply.
    func call(_ method: String, _ parameters: [String: JSONValue] = [:]) async throws -> JSONValue {
        try await self.send(method, parameters)
        return try #require(try await self.receive())
    }

    /// Reads until the server closes the connection; returns how many frames came before.
    func readUntilClosed() async throws -> Int {
        var count = 0
        do {
            while try await self.frames.next() != nil { count += 1 }
        } catch {
            // A reset is as good a close as an EOF here.
        }
        return count
    }
}

/// Connects a client to `path` for `body`, then closes it.
func withClient<Result>(_ path: String, _ body: (TestClient) async throws -> Result) async throws -> Result {
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .connect(unixDomainSocketPath: path) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(
                    ByteToMessageHandler(VarlinkFrameDecoder(maxMessageBytes: 64 << 20))
                )
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    return try await channel.executeThenClose { inbound, outbound in
        try await body(TestClient(inbound: inbound, outbound: outbound))
    }
}

/// Whether anything accepts connections at `path`; a plain socket, so a refusal leaves nothing behind.
func canConnect(_ path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0, let address = try? SocketAddress(unixDomainSocketPath: path) else { return false }
    defer { close(fd) }
    return address.withSockAddr { connect(fd, $0, socklen_t($1)) } == 0
}

extension JSONValue {
    /// The error name of an error reply.
    var errorName: String? { self["error"]?.string }
    /// The parameters of a reply.
    var parameters: JSONValue? { self["parameters"] }
}
