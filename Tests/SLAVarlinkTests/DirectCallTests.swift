import SLAJSON
import Testing

@testable import SLAVarlink

/// Calls a service answers directly (on the event loop, without a task) against the calls it answers
/// through `handle`: what a client sees must not tell the two apart, order included.
@Suite(.timeLimit(.minutes(1)))
struct DirectCallTests {
    @Test("a direct call is answered, and its error reply too")
    func answered() async throws {
        try await withServer { path, _, recorder in
            try await withClient(path) { client in
                let reply = try await client.call("io.slad.Test.Direct", ["i": 1, "ms": 5])
                #expect(reply.parameters == ["i": 1, "ms": 5, "via": "direct"])
                #expect(await recorder.waitFor { $0 == "direct started 1" })
                let refused = try await client.call("io.slad.Test.Direct", ["i": 2, "fail": true])
                #expect(refused.errorName == "io.slad.Test.Refused")
                let fallback = try await client.call("io.slad.Test.Direct", ["i": 3, "fallback": true])
                #expect(fallback.parameters == ["i": 3, "fallback": true, "via": "task"])
            }
        }
    }

    @Test("pipelined calls answered both ways come back in the order they were sent")
    func pipelinedMix() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                // Direct calls that take longer than the task calls around them: a reply that overtook
                // another would show here.
                var batch: [UInt8] = []
                var expected: [JSONValue] = []
                var generator = SystemRandomNumberGenerator()
                for index in 0..<120 {
                    // Sent in small groups a moment apart, so calls arrive both while the connection is
                    // idle and while calls of either kind are in progress.
                    if index > 0, Int.random(in: 0..<3, using: &generator) == 0 {
                        try await client.sendBytes(batch)
                        batch = []
                        try await Task.sleep(for: .milliseconds(Int.random(in: 0..<8, using: &generator)))
                    }
                    let i = JSONValue.int(Int64(index))
                    switch index == 0 ? 4 : Int.random(in: 0..<5, using: &generator) {
                    case 0:
                        batch += Array(#"{"method":"io.slad.Test.Slow","parameters":{"ms":3}}"#.utf8) + [0]
                        expected.append(["slow": true])
                    case 1:
                        batch += Array(#"{"method":"io.slad.Test.Echo","parameters":{"i":\#(index)}}"#.utf8) + [0]
                        expected.append(["i": i])
                    case 2:
                        batch +=
                            Array(#"{"method":"io.slad.Test.Direct","parameters":{"i":\#(index),"fallback":true}}"#.utf8)
                            + [0]
                        expected.append(["i": i, "fallback": true, "via": "task"])
                    default:
                        batch += Array(#"{"method":"io.slad.Test.Direct","parameters":{"i":\#(index),"ms":4}}"#.utf8) + [0]
                        expected.append(["i": i, "ms": 4])
                    }
                }
                batch += Array(#"{"method":"io.slad.Test.Nope"}"#.utf8) + [0]
                try await client.sendBytes(batch)
                // A call that could go directly goes through `handle` while calls before it are in
                // progress there, so `via` may say either; the order is what matters.
                var direct = 0
                for want in expected {
                    var got = try await client.receive()?.parameters?.object
                    if got?["via"] == "direct" { direct += 1 }
                    if want.object?["ms"] != nil { got?["via"] = nil }
                    #expect(got.map(JSONValue.object) == want)
                }
                #expect(direct > 0)
                #expect(try await client.receive()?.errorName == "org.varlink.service.MethodNotFound")
            }
        }
    }

    @Test("a malformed message after a direct call: the call is answered, then the error, then the close")
    func malformedAfterDirect() async throws {
        try await withServer { path, _, _ in
            try await withClient(path) { client in
                try await client.sendBytes(
                    Array(#"{"method":"io.slad.Test.Direct","parameters":{"i":7,"ms":20}}"#.utf8) + [0]
                        + Array("{not json".utf8) + [0])
                #expect(try await client.receive()?.parameters == ["i": 7, "ms": 20, "via": "direct"])
                #expect(try await client.receive()?.errorName == "org.varlink.service.InvalidParameter")
                #expect(try await client.readUntilClosed() == 0)
            }
        }
    }

    @Test("oneway and more never go the direct way")
    func flagsGoThroughHandle() async throws {
        try await withServer { path, _, recorder in
            try await withClient(path) { client in
                try await client.send("io.slad.Test.Direct", ["i": 8], oneway: true)
                try await client.send("io.slad.Test.Direct", ["i": 9], more: true)
                #expect(try await client.receive()?.parameters == ["i": 9, "via": "task"])
                #expect(try await client.call("io.slad.Test.Echo", ["after": true]).parameters == ["after": true])
                #expect(!recorder.all.contains { $0.hasPrefix("direct started") })
            }
        }
    }

    @Test("a client's pipelined direct calls run at once, and are answered in the order they were sent")
    func pipelinedDirect() async throws {
        try await withServer { path, _, recorder in
            try await withClient(path) { client in
                // The first call takes longest: had the calls run one after the other, only the first
                // would have started by the time its answer comes.
                var batch: [UInt8] = []
                for index in 0..<20 {
                    let ms = index == 0 ? 200 : (index * 7) % 30
                    let fail = index % 6 == 5
                    batch += Array(#"{"method":"io.slad.Test.Direct","parameters":{"i":\#(index),"ms":\#(ms),"fail":\#(fail)}}"#.utf8) + [0]
                }
                try await client.sendBytes(batch)
                let first = try await client.receive()
                #expect(first?.parameters?.object?["i"] == 0)
                #expect(recorder.all.filter { $0.hasPrefix("direct started") }.count == 20)
                for index in 1..<20 {
                    let reply = try await client.receive()
                    #expect(reply?.parameters?.object?["i"] == .int(Int64(index)))
                    #expect((reply?.errorName == "io.slad.Test.Refused") == (index % 6 == 5))
                }
            }
        }
    }

    @Test("shutdown with direct calls in flight: they are answered, nothing after them is read, then the close")
    func shutdownInFlight() async throws {
        try await withServer { path, server, recorder in
            try await withClient(path) { client in
                try await client.sendText(#"{"method":"io.slad.Test.Direct","parameters":{"i":1,"ms":300}}"#)
                #expect(await recorder.waitFor { $0 == "direct started 1" })
                async let stopped: Void = server.shutdown()
                // Sent while the server stops, with the first call still in flight: not read. On a loaded
                // machine the first call may already be answered and the connection closed by then, so
                // the send may fail; what the client reads below is the same either way.
                try await Task.sleep(for: .milliseconds(50))
                try? await client.sendText(#"{"method":"io.slad.Test.Direct","parameters":{"i":2}}"#)
                #expect(try await client.receive()?.parameters == ["i": 1, "ms": 300, "via": "direct"])
                #expect(try await client.readUntilClosed() == 0)
                await stopped
            }
            #expect(!recorder.all.contains("direct started 2"))
        }
    }
}
