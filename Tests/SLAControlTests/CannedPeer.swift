import Foundation
import SLAJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Test scaffolding for the client's framing: a Varlink peer on a real Unix socket in a temporary
/// directory that answers each connection with a fixed script of canned bytes. It understands nothing
/// of io.slad.Sla; it is not a stand-in for slad.
final class CannedPeer: @unchecked Sendable {
    /// One step of a connection's script.
    enum Step {
        /// Read one NUL-terminated request and keep it for ``requests``.
        case readRequest
        /// Write a reply: the JSON text and its NUL.
        case reply(String)
        /// Write these bytes as they are (garbage, a reply cut short).
        case raw(String)
        /// Write the reply and its NUL in small pieces with pauses, so the client sees partial messages.
        case replyInPieces(String, pieceSize: Int)
        /// Read until the client closes its end, and note that it did.
        case expectClientClose
    }

    let directory: String
    let path: String
    private let listener: Int32
    private let lock = NSLock()
    private var requestBytes: [[UInt8]] = []
    private var clientClosed = 0
    private let finished = DispatchSemaphore(value: 0)

    /// Listens at `<temporary directory>/io.slad.Sla`; the n-th accepted connection runs `connections[n]`,
    /// and is closed by the peer when its script ends.
    init(_ connections: [[Step]]) throws {
        var template = Array("/tmp/slactl-test.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw PeerError("mkdtemp", errno) }
        directory = String(cString: made)
        path = directory + "/io.slad.Sla"
        listener = try Self.listen(at: path)
        let listener = self.listener
        Thread { [self] in
            for script in connections {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { break }
                run(script, on: connection)
                close(connection)
            }
            finished.signal()
        }.start()
    }

    deinit {
        close(listener)
        unlink(path)
        rmdir(directory)
    }

    /// Waits until every scripted connection has ended (at most 10 s).
    func waitUntilDone() -> Bool {
        finished.wait(timeout: .now() + 10) == .success
    }

    /// The requests read so far, parsed (a request that is not a JSON object is left out).
    var requests: [JSONValue] {
        lock.withLock { requestBytes }.compactMap { bytes in
            (try? JSONValue.decode(bytes)).flatMap { $0.object == nil ? nil : $0 }
        }
    }

    /// The requests read so far as raw bytes, each without its NUL.
    var rawRequests: [[UInt8]] { lock.withLock { requestBytes } }

    /// How many connections the client closed while a script waited for it (``Step/expectClientClose``).
    var clientCloses: Int { lock.withLock { clientClosed } }

    private func run(_ script: [Step], on connection: Int32) {
        var pending: [UInt8] = []
        for step in script {
            switch step {
            case .readRequest:
                while !pending.contains(0) {
                    guard let chunk = Self.read(connection) else { return }
                    pending += chunk
                }
                let end = pending.firstIndex(of: 0)!
                let request = Array(pending[..<end])
                pending.removeSubrange(...end)
                lock.withLock { requestBytes.append(request) }
            case .reply(let text):
                Self.write(Array(text.utf8) + [0], to: connection)
            case .raw(let text):
                Self.write(Array(text.utf8), to: connection)
            case .replyInPieces(let text, let size):
                let bytes = Array(text.utf8) + [0]
                for start in stride(from: 0, to: bytes.count, by: size) {
                    Self.write(Array(bytes[start..<min(start + size, bytes.count)]), to: connection)
                    usleep(2_000)
                }
            case .expectClientClose:
                while Self.read(connection) != nil {}
                lock.withLock { clientClosed += 1 }
            }
        }
    }

    private static func read(_ connection: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
        return count > 0 ? Array(buffer[..<count]) : nil
    }

    private static func write(_ bytes: [UInt8], to connection: Int32) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(connection, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written <= 0 { return }
            offset += written
        }
    }

    /// A listening Unix stream socket at `path`.
    static func listen(at path: String) throws -> Int32 {
        let descriptor = try bound(at: path)
        guard Glibc.listen(descriptor, 8) == 0 else { throw PeerError("listen", errno) }
        return descriptor
    }

    /// A socket bound to `path` but not listening: connecting to it is refused.
    static func bound(at path: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError("socket", errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else { throw PeerError("bind", errno) }
        return descriptor
    }

    /// A fresh empty temporary directory.
    static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/slactl-test.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw PeerError("mkdtemp", errno) }
        return String(cString: made)
    }
}

struct PeerError: Error, CustomStringConvertible {
    var call: String
    var code: Int32
    init(_ call: String, _ code: Int32) {
        self.call = call
        self.code = code
    }
    var description: String { "\(call): \(String(cString: strerror(code)))" }
}
