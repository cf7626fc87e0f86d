import Foundation
import NIOCore
import SLAJSON
import NIOPosix
import Testing

@testable import SLAVarlink

#if canImport(Glibc)
import Glibc
#endif

@Suite("Varlink server")
struct VarlinkServerTests {
    @Test("GetInfo names the service and every interface, org.varlink.service first")
    func getInfo() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                let reply = try await client.call("org.varlink.service.GetInfo")
                #expect(reply.errorName == nil)
                #expect(
                    reply.parameters
                        == [
                            "vendor": "slad project", "product": "slad test", "version": "0.0.1",
                            "url": "https://example.invalid/slad",
                            "interfaces": ["org.varlink.service", "io.slad.Test"],
                        ]
                )
            }
        }
    }

    @Test("GetInterfaceDescription serves each interface's text and refuses unknown ones")
    func getInterfaceDescription() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                let method = "org.varlink.service.GetInterfaceDescription"
                let own = try await client.call(method, ["interface": "io.slad.Test"])
                #expect(own.parameters == ["description": .string(TestService.description)])

                let standard = try await client.call(method, ["interface": "org.varlink.service"])
                let text = try #require(standard.parameters?["description"]?.string)
                #expect(text.contains("interface org.varlink.service"))
                #expect(text.contains("method GetInterfaceDescription(interface: string) -> (description: string)"))
                #expect(text.contains("error ExpectedMore ()"))

                let unknown = try await client.call(method, ["interface": "com.example.Nope"])
                #expect(unknown.errorName == "org.varlink.service.InterfaceNotFound")
                #expect(unknown.parameters == ["interface": "com.example.Nope"])

                let missing = try await client.call(method)
                #expect(missing.errorName == "org.varlink.service.InvalidParameter")
                #expect(missing.parameters == ["parameter": "interface"])
            }
        }
    }

    @Test("unknown interfaces and methods get the standard errors and the connection stays usable")
    func unknownInterfaceAndMethod() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                let interface = try await client.call("com.example.Nope.Call")
                #expect(interface.errorName == "org.varlink.service.InterfaceNotFound")
                #expect(interface.parameters == ["interface": "com.example.Nope"])

                let method = try await client.call("io.slad.Test.Nope")
                #expect(method.errorName == "org.varlink.service.MethodNotFound")
                #expect(method.parameters == ["method": "io.slad.Test.Nope"])

                let standard = try await client.call("org.varlink.service.Nope")
                #expect(standard.errorName == "org.varlink.service.MethodNotFound")
                #expect(standard.parameters == ["method": "org.varlink.service.Nope"])

                #expect(try await client.call("io.slad.Test.Echo", ["a": 1]).parameters == ["a": 1])
            }
        }
    }

    @Test("a call the service leaves unanswered gets MethodNotImplemented rather than hanging the client")
    func unanswered() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                let reply = try await client.call("io.slad.Test.Silent")
                #expect(reply.errorName == "org.varlink.service.MethodNotImplemented")
                #expect(reply.parameters == ["method": "io.slad.Test.Silent"])
            }
        }
    }

    @Test("pipelined calls are answered in the order they were sent, a slow one holding back the rest")
    func pipelined() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                var batch: [UInt8] = []
                batch += Array(#"{"method":"io.slad.Test.Slow","parameters":{"ms":150}}"#.utf8) + [0]
                for index in 0..<50 {
                    batch += Array(#"{"method":"io.slad.Test.Echo","parameters":{"i":\#(index)}}"#.utf8) + [0]
                }
                batch += Array(#"{"method":"io.slad.Test.Nope"}"#.utf8) + [0]
                try await client.sendBytes(batch)

                #expect(try await client.receive()?.parameters == ["slow": true])
                for index in 0..<50 {
                    #expect(try await client.receive()?.parameters == ["i": .int(Int64(index))])
                }
                #expect(try await client.receive()?.errorName == "org.varlink.service.MethodNotFound")
            }
        }
    }

    @Test("with more, replies continue until the last; without it the service cannot continue")
    func more() async throws {
        try await withServer { path, _, recorder in
            try await withClient(path) { client in
                try await client.send("io.slad.Test.Count", ["count": 3], more: true)
                #expect(try await client.receiveText() == #"{"parameters":{"index":0},"continues":true}"#)
                #expect(try await client.receiveText() == #"{"parameters":{"index":1},"continues":true}"#)
                #expect(try await client.receiveText() == #"{"parameters":{"index":2}}"#)

                try await client.send("io.slad.Test.ContinuesWithoutMore")
                #expect(try await client.receiveText() == #"{"parameters":{"last":true}}"#)
                #expect(try await client.call("io.slad.Test.Echo", ["after": true]).parameters == ["after": true])
                #expect(
                    recorder.all.filter { $0.hasPrefix("refused") }
                        == ["refused: continuesWithoutMore", "refused: alreadyAnswered"]
                )
            }
        }
    }

    @Test("a streaming method learns through clientGone that its client hung up")
    func clientGone() async throws {
        try await withServer { path, _, recorder in
            try await withClient(path) { client in
                try await client.send("io.slad.Test.Wait", more: true)
                #expect(try await client.receiveText() == #"{"parameters":{"ready":true},"continues":true}"#)
            }
            #expect(await recorder.waitFor { $0 == "gone" })

            try await withClient(path) { client in
                let refused = try await client.call("io.slad.Test.Wait")
                #expect(refused.errorName == "org.varlink.service.ExpectedMore")
            }
        }
    }

    @Test("oneway calls are handled and get no reply")
    func oneway() async throws {
        try await withServer { path, _, recorder in
            try await withClient(path) { client in
                try await client.send("io.slad.Test.Note", ["text": "first"], oneway: true)
                try await client.send("io.slad.Test.Note", ["text": "second"], oneway: true)
                // The next frame must be the reply to this call, not to the notes.
                let reply = try await client.call("io.slad.Test.Echo", ["n": 1])
                #expect(reply.parameters == ["n": 1])
                #expect(recorder.all.filter { $0.hasPrefix("note") } == ["note: first", "note: second"])
            }
        }
    }

    @Test(".raw values reach the client byte for byte")
    func raw() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                let record = #"{"at":"2026-03-02T08:00:00Z","ticket":"INC-1","kind":"breach","line":1}"#
                try await client.send("io.slad.Test.Raw", ["text": .string(record)])
                #expect(try await client.receiveText() == #"{"parameters":{"record":"# + record + "}}")
            }
        }
    }

    @Test("the service sees the caller's pid, uid and gid")
    func peerCredentials() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                let reply = try await client.call("io.slad.Test.Whoami")
                #expect(
                    reply.parameters
                        == ["pid": .int(Int64(getpid())), "uid": .int(Int64(getuid())), "gid": .int(Int64(getgid()))]
                )
            }
        }
    }

    @Test(
        "the service sees the groups the caller's process holds, not the user database's",
        arguments: [(["--groups", "4242,77,900"], [77, 900, 4242]), (["--clear-groups"], [])])
    func peerGroups(_ setpriv: [String], _ expected: [Int64]) async throws {
        try await withServer { path, _, _ in
            // A child with chosen groups calls Whoami through the real socket.
            let script = """
                import socket, sys
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
                s.sendall(b'{"method":"io.slad.Test.Whoami","parameters":{"groups":true}}\\0')
                reply = b''
                while not reply.endswith(b'\\0'): reply += s.recv(4096)
                sys.stdout.write(reply[:-1].decode())
                """
            let output = try await output(of: "/usr/bin/setpriv", setpriv + ["--", "/usr/bin/python3", "-c", script, path])
            let reply = try JSONValue.decode(Array(output.utf8))
            #expect(reply.object?["parameters"]?.object?["groups"] == .array(expected.map { .int($0) }))
        }
    }

    @Test("1,000 clients connected at once each get their own answer")
    func thousandClients() async throws {
        try await withServer { path, _, _ in
            // No client hangs up before every one has its answer, so all 1,000 are connected at once.
            let allAnswered = Barrier(count: 1000)
            try await withThrowingTaskGroup { group in
                for index in 0..<1000 {
                    group.addTask {
                        try await withClient(path) { client in
                            let reply = try? await client.call("io.slad.Test.Echo", ["client": .int(Int64(index))])
                            await allAnswered.arrive()
                            return reply?.parameters?["client"]?.int
                        }
                    }
                }
                var answered = Set<Int64>()
                for try await client in group {
                    if let client { answered.insert(client) }
                }
                #expect(answered == Set(0..<1000))
            }
        }
    }
}

@Suite("Varlink server against bad clients")
struct BadClientTests {
    struct BadInput: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var parameter: String
        var testDescription: String { self.name }
    }

    static let badInputs = [
        BadInput(name: "invalid UTF-8", bytes: [0x7B, 0xFF, 0xFE, 0x7D, 0], parameter: "message: not valid UTF-8"),
        BadInput(
            name: "invalid JSON",
            bytes: Array(#"{"method":"#.utf8) + [0],
            parameter: "message: not valid JSON: expected a value, found the end at byte 10"
        ),
        BadInput(name: "not an object", bytes: Array("[1,2]".utf8) + [0], parameter: "message: not a JSON object"),
        BadInput(name: "no method", bytes: Array(#"{"parameters":{}}"#.utf8) + [0], parameter: "method: missing"),
        BadInput(
            name: "over the size limit without a NUL",
            bytes: Array(repeating: UInt8(ascii: "x"), count: 5000),
            parameter: "message: longer than 4096 bytes"
        ),
    ]

    @Test(
        "bad input gets InvalidParameter, then the connection closes, and other clients carry on",
        arguments: badInputs
    )
    func badInput(_ input: BadInput) async throws {
        try await withServer(limits: .init(maxMessageBytes: 4096)) { path, _, _ in
            try await withClient(path) { bystander in
                #expect(try await bystander.call("io.slad.Test.Echo", ["before": true]).parameters == ["before": true])
                try await withClient(path) { offender in
                    try await offender.sendBytes(input.bytes)
                    let reply = try #require(try await offender.receive())
                    #expect(reply.errorName == "org.varlink.service.InvalidParameter")
                    #expect(reply.parameters == ["parameter": .string(input.parameter)])
                    #expect(try await offender.readUntilClosed() == 0)
                }
                #expect(try await bystander.call("io.slad.Test.Echo", ["after": true]).parameters == ["after": true])
            }
            try await withClient(path) { newcomer in
                let reply = try await newcomer.call("io.slad.Test.Echo", ["new": true])
                #expect(reply.parameters == ["new": true])
            }
        }
    }

    @Test("calls before the bad input are still answered, in order, before the error")
    func answeredBeforeError() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                try await client.sendBytes(
                    Array(#"{"method":"io.slad.Test.Echo","parameters":{"n":1}}"#.utf8) + [0]
                        + Array("nonsense".utf8) + [0]
                )
                #expect(try await client.receive()?.parameters == ["n": 1])
                #expect(try await client.receive()?.errorName == "org.varlink.service.InvalidParameter")
                #expect(try await client.readUntilClosed() == 0)
            }
        }
    }

    @Test("a client stalled mid-message is dropped after the timeout; an idle one is not")
    func stalledMidMessage() async throws {
        try await withServer(limits: .init(partialMessageTimeout: .milliseconds(200))) { path, _, _ in
            try await withClient(path) { idle in
                let start = ContinuousClock.now
                try await withClient(path) { staller in
                    try await staller.sendBytes(Array(#"{"method":"io.slad.Test.Ec"#.utf8))
                    #expect(try await staller.readUntilClosed() == 0)
                }
                #expect(ContinuousClock.now - start >= .milliseconds(200))
                // The idle client has now sat silent for longer than the timeout, and is still served.
                try await Task.sleep(for: .milliseconds(100))
                #expect(try await idle.call("io.slad.Test.Echo", ["idle": true]).parameters == ["idle": true])
            }
        }
    }

    @Test("a client that leaves its Watch replies unread is dropped; the stream stops and others carry on")
    func stalledReader() async throws {
        let limits = VarlinkServer.Limits(maxQueuedReplyBytes: 64 << 10)
        try await withServer(limits: limits) { path, _, recorder in
            try await withClient(path) { bystander in
                try await withClient(path) { stalled in
                    try await stalled.send("io.slad.Test.Stream", ["bytes": 4096], more: true)
                    #expect(await recorder.waitFor(seconds: 60) { $0.hasPrefix("stream stopped: clientTooSlow") })
                    #expect(await recorder.waitFor(seconds: 60) { $0 == "gone" })
                    // What the kernel had buffered arrives, then the end: the server closed the connection.
                    let received = try await stalled.readUntilClosed()
                    #expect(received > 0)
                }
                #expect(try await bystander.call("io.slad.Test.Echo", ["ok": true]).parameters == ["ok": true])
            }
        }
    }

    @Test("connections over the limit are closed at once; those within it are served")
    func connectionLimit() async throws {
        try await withServer(limits: .init(maxConnections: 2)) { path, _, _ in
            try await withClient(path) { first in
                try await withClient(path) { second in
                    #expect(try await first.call("io.slad.Test.Echo", ["n": 1]).parameters == ["n": 1])
                    #expect(try await second.call("io.slad.Test.Echo", ["n": 2]).parameters == ["n": 2])
                    try await withClient(path) { third in
                        try? await third.send("io.slad.Test.Echo", ["n": 3])
                        let frames = try await third.readUntilClosed()
                        #expect(frames == 0)
                    }
                }
            }
        }
    }
}

@Suite("Varlink server sockets and lifecycle")
struct ServerLifecycleTests {
    @Test("adopt() serves on a listening socket made outside the server, as systemd passes one")
    func adopt() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/activated"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        let address = try SocketAddress(unixDomainSocketPath: path)
        let bound = address.withSockAddr { pointer, length in Glibc.bind(fd, pointer, socklen_t(length)) }
        try #require(bound == 0)
        try #require(listen(fd, 16) == 0)

        let server = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
        try await server.adopt(listeningDescriptor: fd)
        try await withThrowingTaskGroup { group in
            group.addTask { try await server.run() }
            try await withTimeout {
                try await withClient(path) { client in
                    let reply = try await client.call("org.varlink.service.GetInfo")
                    #expect(reply.parameters?["product"] == "slad test")
                }
            }
            await server.shutdown()
            try await group.waitForAll()
        }
        // The socket file belongs to whoever made it (systemd): the server leaves it.
        #expect(access(path, F_OK) == 0)
    }

    @Test("bind() raises the open-file soft limit to the hard limit, so many clients fit")
    func descriptorLimit() async throws {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        var limit = rlimit()
        try #require(getrlimit(resource, &limit) == 0)
        // One below the hard limit: enough to see it raised, too little to trouble tests running beside.
        limit.rlim_cur = limit.rlim_max - 1
        try #require(setrlimit(resource, &limit) == 0)

        let directory = TemporaryDirectory()
        let server = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
        try await server.bind(path: directory.path + "/io.slad.Test")
        await server.shutdown()

        try #require(getrlimit(resource, &limit) == 0)
        #expect(limit.rlim_cur == limit.rlim_max)
    }

    @Test("adopt() refuses a descriptor that is not a listening Unix stream socket")
    func adoptRefuses() async throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        let server = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
        await #expect(throws: VarlinkServerError(.notAListeningUnixSocket, socket: "fd \(fd)", detail: "not listening"))
        {
            try await server.adopt(listeningDescriptor: fd)
        }
    }

    @Test("bind() replaces a stale socket file, refuses a live one, sets the mode, and removes its file at the end")
    func bindPath() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/io.slad.Test"
        // A socket file whose server is gone: bound, never listened on, closed.
        let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        _ = try SocketAddress(unixDomainSocketPath: path).withSockAddr { Glibc.bind(stale, $0, socklen_t($1)) }
        close(stale)
        try #require(access(path, F_OK) == 0)

        let server = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
        try await server.bind(path: path, mode: 0o600)
        var status = stat()
        try #require(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)

        try await withThrowingTaskGroup { group in
            group.addTask { try await server.run() }
            let rival = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
            await #expect(throws: VarlinkServerError(.addressInUse, socket: path)) {
                try await rival.bind(path: path)
            }
            try await withTimeout {
                try await withClient(path) { client in
                    let reply = try await client.call("io.slad.Test.Echo", ["x": 1])
                    #expect(reply.parameters == ["x": 1])
                }
            }
            await server.shutdown()
            try await group.waitForAll()
        }
        #expect(access(path, F_OK) != 0)
    }

    @Test("shutdown lets a call in progress finish, ends streams, and stops accepting")
    func shutdown() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/io.slad.Test"
        let recorder = Recorder()
        let server = VarlinkServer(service: TestService(recorder: recorder), logger: testLogger)
        try await server.bind(path: path)
        try await withThrowingTaskGroup { group in
            group.addTask { try await server.run() }
            try await withTimeout {
                try await withClient(path) { watcher in
                    try await watcher.send("io.slad.Test.Wait", more: true)
                    #expect(try await watcher.receive()?.parameters == ["ready": true])
                    try await withClient(path) { busy in
                        try await busy.send("io.slad.Test.Slow", ["ms": 300])
                        #expect(await recorder.waitFor { $0 == "slow started" })
                        async let stopped: Void = server.shutdown()
                        // The slow call was in progress: it is answered, then the connection ends.
                        #expect(try await busy.receive()?.parameters == ["slow": true])
                        #expect(try await busy.readUntilClosed() == 0)
                        await stopped
                    }
                    #expect(await recorder.waitFor { $0 == "gone" })
                    #expect(try await watcher.readUntilClosed() == 0)
                }
            }
            try await group.waitForAll()
        }
        #expect(!canConnect(path))
    }

    @Test("shutdown before run closes clients accepted meanwhile, and run then returns at once")
    func shutdownBeforeRun() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/io.slad.Test"
        let server = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
        try await server.bind(path: path)
        try await withTimeout {
            try await withClient(path) { early in
                try await early.send("io.slad.Test.Echo", ["n": 1])
                await server.shutdown()
                let frames = try await early.readUntilClosed()
                #expect(frames == 0)
            }
            try await server.run()
        }
        #expect(access(path, F_OK) != 0)
    }

    @Test("cancelling run() ends every connection")
    func cancelRun() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/io.slad.Test"
        let recorder = Recorder()
        let server = VarlinkServer(service: TestService(recorder: recorder), logger: testLogger)
        try await server.bind(path: path)
        let running = Task { try await server.run() }
        try await withTimeout {
            try await withClient(path) { watcher in
                try await watcher.send("io.slad.Test.Wait", more: true)
                #expect(try await watcher.receive()?.parameters == ["ready": true])
                running.cancel()
                #expect(await recorder.waitFor { $0 == "gone" })
                let frames = try await watcher.readUntilClosed()
                #expect(frames == 0)
            }
            await #expect(throws: CancellationError.self) { try await running.value }
        }
    }
}

/// What a program prints, run on a thread of its own: waiting for it on the cooperative pool would
/// hold up the server it talks to.
func output(of program: String, _ arguments: [String]) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            continuation.resume(
                with: Result {
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: program)
                    process.arguments = arguments
                    let pipe = Pipe()
                    process.standardOutput = pipe
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    return String(decoding: data, as: UTF8.self)
                })
        }.start()
    }
}
