import Foundation
import Logging
import NIOCore
import Testing

@testable import SLAHTTP

/// A plain TCP client, so that tests can send what no HTTP library would (huge headers, a head a byte
/// at a time) and see exactly what comes back.
final class RawHTTPClient: @unchecked Sendable {
    let fd: Int32

    init(port: Int, host: String = "127.0.0.1", receiveTimeout: Int = 60) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else { throw TestFailure("connect: errno \(errno)") }
        var timeout = timeval(tv_sec: receiveTimeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    @discardableResult
    func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }

    /// Everything until the peer closes (or the receive timeout).
    func readAll() -> String {
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// One response: the head and a body of its Content-Length.
    func readResponse(head: Bool = false) -> (status: Int, headers: [String: String], body: String)? {
        var data: [UInt8] = []
        var byte: UInt8 = 0
        while !data.suffix(4).elementsEqual([13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { return nil }
            data.append(byte)
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\r\n")
        guard let first = lines.first, let status = Int(first.split(separator: " ")[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        let length = head ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        while body.count < length {
            guard recv(fd, &byte, 1, 0) == 1 else { break }
            body.append(byte)
        }
        return (status, headers, String(decoding: body, as: UTF8.self))
    }

    func isClosedByPeer() -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, 0) <= 0
    }
}

/// Runs blocking socket code on a thread of its own: on the cooperative pool (two threads on a
/// two-core machine) it would starve the listener it talks to.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A listener on a free loopback port with a handler that answers `/metrics` and counts calls.
func withListener(
    limits: HTTPListener.Limits = .init(), _ body: (HTTPListener, Int) async throws -> Void
) async throws {
    let listener = HTTPListener(limits: limits, logger: Logger(label: "test")) { request -> HTTPAnswer in
        request.path == "/metrics" ? .text(200, "slad_up 1 \(request.accept ?? "-")") : .text(404, "not found")
    }
    let failures = await listener.listen(on: [HTTPEndpoint.address(host: "127.0.0.1", port: 0)])
    #expect(failures.isEmpty)
    let port = try #require(listener.localAddresses.values.first?.port)
    let running = Task { try await listener.run() }
    defer {
        listener.shutdown()
        running.cancel()
    }
    try await body(listener, port)
}

@Suite("HTTP listener: a real socket on loopback", .serialized)
struct HTTPListenerTests {
    @Test("GET answers with the handler's status, type and body; keep-alive serves a second request")
    func answers() async throws {
        try await withListener { _, port in
            let (first, second, head) = try await blocking {
                let client = try RawHTTPClient(port: port)
                client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n")
                let first = client.readResponse()
                client.send("GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
                let second = client.readResponse()
                client.send("HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                return (first, second, client.readResponse(head: true))
            }
            #expect(first?.status == 200)
            #expect(first?.headers["content-type"] == "text/plain; charset=utf-8")
            #expect(first?.body == "slad_up 1 text/plain\n")
            #expect(second?.status == 404)
            #expect(head?.status == 200)
            #expect(head?.headers["content-length"] == String("slad_up 1 -\n".utf8.count))
        }
    }

    @Test("a request with a body is answered 413 and the connection closed, the body unread")
    func bodyRefused() async throws {
        try await withListener { _, port in
            let (status, closed) = try await blocking {
                let client = try RawHTTPClient(port: port)
                client.send("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc")
                return (client.readResponse()?.status, client.isClosedByPeer())
            }
            #expect(status == 413)
            #expect(closed)
        }
    }

    @Test("headers over the limit get 400 and the connection is closed")
    func hugeHeaders() async throws {
        try await withListener(limits: .init(maxHeaderBytes: 4096)) { listener, port in
            let (answer, next) = try await blocking {
                let client = try RawHTTPClient(port: port)
                client.send("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: \(String(repeating: "a", count: 100_000))\r\n\r\n")
                let answer = client.readAll()
                // The next client is served as if nothing happened.
                let next = try RawHTTPClient(port: port)
                next.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                return (answer, next.readResponse()?.status)
            }
            #expect(answer.hasPrefix("HTTP/1.1 400"))
            #expect(next == 200)
            _ = listener
        }
    }

    @Test("a client that sends its head a byte at a time is cut off when the head timeout passes")
    func slowloris() async throws {
        try await withListener(limits: .init(requestHeadTimeout: .milliseconds(500))) { _, port in
            let (closed, took) = try await blocking {
                let client = try RawHTTPClient(port: port, receiveTimeout: 5)
                let started = ContinuousClock.now
                var closed = false
                // A byte every 20 ms: well within any per-read timeout, never a whole head.
                let bytes = "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: ".map(String.init) + Array(repeating: "a", count: 200)
                for byte in bytes {
                    if !client.send(byte) {
                        closed = true
                        break
                    }
                    usleep(20_000)
                    var probe: UInt8 = 0
                    if recv(client.fd, &probe, 1, Int32(MSG_DONTWAIT)) == 0 {
                        closed = true
                        break
                    }
                }
                return (closed, ContinuousClock.now - started)
            }
            #expect(closed)
            #expect(took < .seconds(2))
        }
    }

    @Test("connections beyond the limit are closed at once; those within are served")
    func connectionLimit() async throws {
        try await withListener(limits: .init(maxConnections: 4)) { listener, port in
            let held = try (0..<4).map { _ in try RawHTTPClient(port: port) }
            // The four are accepted and counted before the fifth comes.
            for _ in 0..<100 where listener.activeConnections < 4 { try await Task.sleep(for: .milliseconds(10)) }
            #expect(listener.activeConnections == 4)
            let (extraClosed, status) = try await blocking {
                let extra = try RawHTTPClient(port: port, receiveTimeout: 5)
                let closed = extra.isClosedByPeer()
                held[0].send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                return (closed, held[0].readResponse()?.status)
            }
            #expect(extraClosed)
            #expect(status == 200)
        }
    }

    @Test("32 concurrent scrapers, 20 requests each on kept-alive connections, all answered 200")
    func concurrentScrapers() async throws {
        // A head timeout far above any scheduling delay: this test is about concurrency, not timeouts.
        try await withListener(limits: .init(requestHeadTimeout: .seconds(120))) { _, port in
            let scrapers = 32
            let results = await withTaskGroup(of: Int.self) { group in
                for _ in 0..<scrapers {
                    group.addTask {
                        (try? await blocking {
                            let client = try RawHTTPClient(port: port)
                            var ok = 0
                            for _ in 0..<20 {
                                client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
                                if client.readResponse()?.status == 200 { ok += 1 }
                            }
                            return ok
                        }) ?? 0
                    }
                }
                return await group.reduce(0, +)
            }
            #expect(results == scrapers * 20)
        }
    }

    @Test("an address in use is a bind failure, not a crash; all-or-nothing keeps what was served")
    func bindFailure() async throws {
        try await withListener { listener, port in
            let other = HTTPListener(logger: Logger(label: "test")) { _ in .text(200, "other") }
            let failures = await other.listen(on: [.address(host: "127.0.0.1", port: port)])
            #expect(failures.count == 1)
            #expect(failures.first?.description.contains("Address already in use") == true)
            // An address that cannot be bound beside one that is: refused whole, nothing changes.
            let before = listener.localAddresses
            let refused = await listener.listen(
                on: [.address(host: "127.0.0.2", port: 0), .address(host: "256.1.1.1", port: 80)], allOrNothing: true)
            #expect(refused.map(\.endpoint) == [.address(host: "256.1.1.1", port: 80)])
            #expect(listener.localAddresses.keys == before.keys)
            // Without all-or-nothing, what can be bound is served and the old address closed.
            let partial = await listener.listen(
                on: [.address(host: "127.0.0.2", port: 0), .address(host: "256.1.1.1", port: 80)])
            #expect(partial.count == 1)
            #expect(Array(listener.localAddresses.keys) == [.address(host: "127.0.0.2", port: 0)])
        }
    }

    @Test("after a failed bind and a change of sockets, shutdown closes every socket and run() returns")
    func shutdownAfterRebinds() async throws {
        let listener = HTTPListener(logger: Logger(label: "test")) { _ in .text(200, "ok") }
        let holder = HTTPListener(logger: Logger(label: "holder")) { _ in .text(200, "holder") }
        await holder.listen(on: [.address(host: "127.0.0.1", port: 0)])
        let busy = try #require(holder.localAddresses.values.first?.port)
        // The first socket this listener ever makes fails to bind; then two sockets in turn.
        #expect(await listener.listen(on: [.address(host: "127.0.0.1", port: busy)]).count == 1)
        await listener.listen(on: [.address(host: "127.0.0.1", port: 0)])
        let first = try #require(listener.localAddresses.values.first?.port)
        await listener.listen(on: [.address(host: "127.0.0.2", port: 0)])
        let second = try #require(listener.localAddresses.values.first?.port)
        let running = Task { try await listener.run() }
        let answered = try await blocking { () -> Int? in
            let client = try RawHTTPClient(port: second, host: "127.0.0.2")
            client.send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
            return client.readResponse()?.status
        }
        #expect(answered == 200)
        listener.shutdown()
        // A fallback so that the bug ends the test instead of hanging the suite.
        let fallback = Task { () -> Bool in
            try? await Task.sleep(for: .seconds(10))
            guard !Task.isCancelled else { return false }
            running.cancel()
            return true
        }
        try await running.value
        fallback.cancel()
        #expect(await fallback.value == false, "run() returned at shutdown, not at the fallback's cancel")
        let refused = try await blocking {
            (try? RawHTTPClient(port: first)) == nil && (try? RawHTTPClient(port: second, host: "127.0.0.2")) == nil
        }
        #expect(refused)
        holder.shutdown()
    }

    @Test("shutdown closes the socket: a new connection is refused")
    func shutdownCloses() async throws {
        let listener = HTTPListener(logger: Logger(label: "test")) { _ in .text(200, "ok") }
        await listener.listen(on: [.address(host: "127.0.0.1", port: 0)])
        let port = try #require(listener.localAddresses.values.first?.port)
        let running = Task { try await listener.run() }
        listener.shutdown()
        try await running.value
        let refused = try await blocking { (try? RawHTTPClient(port: port)) == nil }
        #expect(refused)
    }
}
