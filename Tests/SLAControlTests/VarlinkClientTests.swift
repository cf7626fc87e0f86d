import Foundation
import SLAContract
import SLAControl
import SLAJSON
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The error `body` threw, if it was a ControlError.
func controlError(_ body: () throws -> Void) -> ControlError? {
    do {
        try body()
        return nil
    } catch let error as ControlError {
        return error
    } catch {
        Issue.record("expected a ControlError, got \(error)")
        return nil
    }
}

/// The detail of a `.protocolViolation`, or nil for anything else.
func violation(_ error: ControlError?) -> String? {
    if case .protocolViolation(let detail)? = error { return detail }
    return nil
}

@Suite("Varlink client against a canned peer on a real Unix socket")
struct VarlinkClientTests {
    @Test("a call sends one NUL-terminated JSON object without \"more\" and returns the reply's parameters")
    func callFraming() throws {
        let peer = try CannedPeer([[.readRequest, .reply(#"{"parameters":{"accepted":2,"note":"a/b"}}"#)]])
        let client = try VarlinkClient(socketPath: peer.path)
        let reply = try client.call("io.slad.Sla.Submit", ["events": [["ticket": "INC-1", "event": "respond"]]])
        #expect(reply["accepted"]?.int == 2)
        #expect(reply["note"]?.string == "a/b")
        #expect(peer.waitUntilDone())

        let raw = try #require(peer.rawRequests.first)
        #expect(!raw.contains(0), "the NUL ends the message; none inside it")
        let request = try #require(peer.requests.first)
        #expect(request["method"]?.string == "io.slad.Sla.Submit")
        #expect(request["more"] == nil)
        let parameters = try #require(request["parameters"]?.object)
        let events = (parameters["events"]?.array ?? [])
        #expect(events.count == 1)
        #expect(events[0]["ticket"]?.string == "INC-1")
    }

    @Test("replies split across writes, and two calls on one connection, arrive whole and in order")
    func repliesInPieces() throws {
        let first = #"{"parameters":{"ticket":{"ticket":"INC-1","state":"open","clocks":[]}}}"#
        let peer = try CannedPeer([
            [
                .readRequest, .replyInPieces(first, pieceSize: 7),
                .readRequest, .reply(#"{"parameters":{"summary":"ok"}}"#),
            ]
        ])
        let client = try VarlinkClient(socketPath: peer.path)
        let ticket = try client.call("io.slad.Sla.GetTicket", ["ticket": "INC-1"])
        #expect((ticket["ticket"]?.object ?? [:])["state"]?.string == "open")
        let status = try client.call("io.slad.Sla.CheckConfig", [:])
        #expect(status["summary"]?.string == "ok")
        #expect(peer.waitUntilDone())
        #expect(peer.requests.count == 2)
    }

    @Test("a reply without parameters gives empty parameters")
    func replyWithoutParameters() throws {
        let peer = try CannedPeer([[.readRequest, .reply("{}")]])
        let reply = try VarlinkClient(socketPath: peer.path).call("io.slad.Sla.Reload", [:])
        #expect(reply.isEmpty)
    }

    @Test("an error reply becomes ControlError.remote with its name and parameters")
    func errorReply() throws {
        let peer = try CannedPeer([
            [
                .readRequest, .reply(#"{"error":"io.slad.Sla.UnknownTicket","parameters":{"ticket":"INC-9"}}"#),
                .readRequest, .reply(#"{"parameters":{"ticket":{"ticket":"INC-1"}}}"#),
            ]
        ])
        let client = try VarlinkClient(socketPath: peer.path)
        let error = controlError { _ = try client.call("io.slad.Sla.GetTicket", ["ticket": "INC-9"]) }
        guard case .remote(let name, let parameters)? = error else {
            Issue.record("expected .remote, got \(String(describing: error))")
            return
        }
        #expect(name == "io.slad.Sla.UnknownTicket")
        #expect(parameters["ticket"]?.string == "INC-9")
        #expect(error?.exitStatus == ControlExitStatus.notFound)
        // The connection stays usable: an error reply is a complete reply.
        let next = try client.call("io.slad.Sla.GetTicket", ["ticket": "INC-1"])
        #expect(next["ticket"]?.object != nil)
    }

    @Test("a stream sends \"more\": true and ends with the reply without \"continues\"")
    func streamEndsOnLastReply() throws {
        let peer = try CannedPeer([
            [
                .readRequest,
                .reply(#"{"parameters":{"record":{"kind":"due","n":1}},"continues":true}"#),
                .replyInPieces(#"{"parameters":{"record":{"kind":"warning","n":2}},"continues":true}"#, pieceSize: 5),
                .reply(#"{"parameters":{"record":{"kind":"breach","n":3}},"continues":false}"#),
                .readRequest, .reply(#"{"parameters":{"version":"0.1.0"}}"#),
            ]
        ])
        let client = try VarlinkClient(socketPath: peer.path)
        var seen: [Int] = []
        try client.stream("io.slad.Sla.Watch", [:]) { parameters in
            seen.append(Int((parameters["record"]?.object ?? [:])["n"]?.int ?? -1))
            return true
        }
        #expect(seen == [1, 2, 3])
        // Nothing left over: the same connection answers the next call.
        #expect((try client.call("io.slad.Sla.Status", [:]))["version"]?.string == "0.1.0")
        #expect(peer.waitUntilDone())
        #expect(peer.requests[0]["more"]?.bool == true)
        #expect(peer.requests[1]["more"] == nil)
    }

    @Test("a stream stops when the handler returns false, closes the connection, and the next call reconnects")
    func streamStopsOnHandler() throws {
        let endless = (1...5).map { Step.reply(#"{"parameters":{"record":{"n":\#($0)}},"continues":true}"#) }
        let peer = try CannedPeer([
            [.readRequest] + endless + [.expectClientClose],
            [.readRequest, .reply(#"{"parameters":{"version":"0.1.0"}}"#)],
        ])
        let client = try VarlinkClient(socketPath: peer.path)
        var seen = 0
        try client.stream("io.slad.Sla.Watch", [:]) { _ in
            seen += 1
            return seen < 2
        }
        #expect(seen == 2)
        #expect((try client.call("io.slad.Sla.Status", [:]))["version"]?.string == "0.1.0")
        #expect(peer.waitUntilDone())
        #expect(peer.clientCloses == 1, "the client closes a stream it left, so unread replies go with it")
    }

    @Test("an error reply in the middle of a stream ends it with ControlError.remote")
    func streamError() throws {
        let peer = try CannedPeer([
            [
                .readRequest,
                .reply(#"{"parameters":{"record":{"n":1}},"continues":true}"#),
                .reply(#"{"error":"org.varlink.service.PermissionDenied","parameters":{}}"#),
            ]
        ])
        let client = try VarlinkClient(socketPath: peer.path)
        var seen = 0
        let error = controlError {
            try client.stream("io.slad.Sla.Watch", [:]) { _ in
                seen += 1
                return true
            }
        }
        #expect(seen == 1)
        guard case .remote(let name, _)? = error else {
            Issue.record("expected .remote, got \(String(describing: error))")
            return
        }
        #expect(name == "org.varlink.service.PermissionDenied")
        #expect(error?.exitStatus == ControlExitStatus.permissionDenied)
    }

    @Test("nothing at the path: .unreachable with ENOENT")
    func unreachableMissing() throws {
        let directory = try CannedPeer.temporaryDirectory()
        defer { rmdir(directory) }
        let path = directory + "/io.slad.Sla"
        let error = controlError { _ = try VarlinkClient(socketPath: path) }
        guard case .unreachable(let reported, let code)? = error else {
            Issue.record("expected .unreachable, got \(String(describing: error))")
            return
        }
        #expect(reported == path)
        #expect(code == ENOENT)
        #expect(error?.exitStatus == ControlExitStatus.unreachable)
        #expect(
            error?.description
                == "cannot reach slad at \(path): No such file or directory; is slad running? (--socket PATH)")
    }

    @Test("a socket nobody listens on: .unreachable with ECONNREFUSED")
    func unreachableRefused() throws {
        let directory = try CannedPeer.temporaryDirectory()
        let path = directory + "/io.slad.Sla"
        let bound = try CannedPeer.bound(at: path)
        defer {
            close(bound)
            unlink(path)
            rmdir(directory)
        }
        let error = controlError { _ = try VarlinkClient(socketPath: path) }
        guard case .unreachable(_, let code)? = error else {
            Issue.record("expected .unreachable, got \(String(describing: error))")
            return
        }
        #expect(code == ECONNREFUSED)
    }

    @Test("a path longer than sun_path: .unreachable with ENAMETOOLONG")
    func unreachableTooLong() {
        let path = "/tmp/" + String(repeating: "x", count: 200)
        guard case .unreachable(_, let code)? = controlError({ _ = try VarlinkClient(socketPath: path) }) else {
            Issue.record("expected .unreachable")
            return
        }
        #expect(code == ENAMETOOLONG)
    }

    @Test(
        "garbage or a connection closed mid-reply is a protocol violation",
        arguments: [
            ("not JSON", [CannedPeer.Step.readRequest, .raw("hello\u{0}")], "not JSON"),
            ("not an object", [.readRequest, .reply("[1,2]")], "not a JSON object"),
            ("parameters not an object", [.readRequest, .reply(#"{"parameters":[1]}"#)], "\"parameters\""),
            ("error not a string", [.readRequest, .reply(#"{"error":7}"#)], "\"error\""),
            ("closed mid-reply", [.readRequest, .raw(#"{"parameters":{"acc"#)], "in the middle of its reply"),
            ("closed without a reply", [.readRequest], "without answering"),
            ("reply too long", [.readRequest, .raw(String(repeating: " ", count: 70_000))], "longer than 65536 bytes"),
            ("continues on a plain call", [.readRequest, .reply(#"{"parameters":{},"continues":true}"#)], "continues"),
        ] as [(String, [CannedPeer.Step], String)])
    func protocolViolations(_ name: String, _ script: [CannedPeer.Step], _ expected: String) throws {
        let peer = try CannedPeer([script])
        let client = try VarlinkClient(socketPath: peer.path)
        client.maximumReplySize = 65_536
        let error = controlError { _ = try client.call("io.slad.Sla.Status", [:]) }
        let detail = try #require(
            violation(error), "\(name): expected .protocolViolation, got \(String(describing: error))")
        #expect(detail.contains(expected), "\(name): \(detail)")
        #expect(error?.exitStatus == ControlExitStatus.protocolError)
    }

    @Test("a stream cut off mid-reply is a protocol violation after the replies that came whole")
    func streamClosedMidReply() throws {
        let peer = try CannedPeer([
            [
                .readRequest, .reply(#"{"parameters":{"record":{"n":1}},"continues":true}"#),
                .raw(#"{"parameters":{"rec"#),
            ]
        ])
        let client = try VarlinkClient(socketPath: peer.path)
        var seen = 0
        let error = controlError {
            try client.stream("io.slad.Sla.Watch", [:]) { _ in
                seen += 1
                return true
            }
        }
        #expect(seen == 1)
        #expect(violation(error)?.contains("in the middle of its reply") == true)
    }

    @Test("a stream closed between replies says so, and points at the daemon rather than at versions")
    func streamClosedBetweenReplies() throws {
        let peer = try CannedPeer([
            [
                .readRequest,
                .reply(#"{"parameters":{"record":{"n":1}},"continues":true}"#),
                .reply(#"{"parameters":{"record":{"n":2}},"continues":true}"#),
            ]
        ])
        let client = try VarlinkClient(socketPath: peer.path)
        let error = controlError { try client.stream("io.slad.Sla.Watch", [:]) { _ in true } }
        #expect(
            error?.description == "protocol error: slad closed the connection after 2 replies to io.slad.Sla.Watch, "
                + "without a last one; did it stop? (systemctl status slad)")
    }

    @Test("garbage names the socket and suggests a version mismatch")
    func garbageHint() throws {
        let peer = try CannedPeer([[.readRequest, .raw("HTTP/1.1 400 Bad Request\r\n\u{0}")]])
        let client = try VarlinkClient(socketPath: peer.path)
        let error = controlError { _ = try client.call("io.slad.Sla.Status", [:]) }
        #expect(
            error?.description == #"protocol error: the reply to io.slad.Sla.Status is not JSON: "HTTP/1.1 400 Bad "#
                + #"Request\#r\#n"; check that \#(peer.path) is slad's socket and that slactl and slad are the same version"#
        )
    }

    @Test("SlaControl sends the interface's method and parameter names")
    func interfaceCalls() throws {
        let peer = try CannedPeer([
            [
                .readRequest, .reply(#"{"parameters":{"accepted":1}}"#),
                .readRequest, .reply(#"{"parameters":{"tickets":[]}}"#),
                .readRequest, .reply(#"{"parameters":{"tickets":[]}}"#),
            ]
        ])
        let control = try SlaControl(socketPath: peer.path)
        let event = ControlEvent(ticket: "INC-1", kind: .pause, at: "2026-03-02T09:00:00Z", reason: "waiting-customer")
        #expect(try control.submit(event).value.accepted == 1)
        _ = try control.tickets(SlaInterface.Filter(breached: true, line: 2), limit: 5)
        _ = try control.tickets()
        #expect(peer.waitUntilDone())
        let requests = peer.requests
        #expect(
            requests.map { $0["method"]?.string } == [
                "io.slad.Sla.Submit", "io.slad.Sla.ListTickets", "io.slad.Sla.ListTickets",
            ])
        let submitted = ((requests[0]["parameters"]?.object ?? [:])["events"]?.array ?? [])
        #expect(submitted.count == 1)
        #expect(
            submitted[0].encodedString()
                == #"{"at":"2026-03-02T09:00:00Z","event":"pause","reason":"waiting-customer","ticket":"INC-1"}"#)
        let list = try #require(requests[1]["parameters"]?.object)
        #expect(JSONValue.object(list).encodedString() == #"{"filter":{"breached":true,"line":2},"limit":5}"#)
        #expect((requests[2]["parameters"] ?? ["x": 1]).encodedString() == "{}")
    }
}

typealias Step = CannedPeer.Step
