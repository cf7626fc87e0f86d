import SLASocketTrust

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A connected Unix stream socket: blocking reads and writes, errno carried into the error.
struct UnixSocket {
    let descriptor: Int32

    /// Connects to `path`; `ControlError.unreachable` with the errno of the step that failed.
    static func connect(to path: String) throws -> UnixSocket {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !bytes.isEmpty else { throw ControlError.unreachable(path: path, errno: ENOENT) }
        // sun_path needs room for the terminating NUL; a longer path cannot be connected to at all.
        guard bytes.count < capacity else { throw ControlError.unreachable(path: path, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        if let reason = SocketDirectory.distrust(of: path, side: .client(uid: geteuid())) {
            throw ControlError.untrustedSocket(path: path, reason: reason)
        }

        #if canImport(Glibc)
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let descriptor = socket(AF_UNIX, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw ControlError.unreachable(path: path, errno: errno) }
        #if canImport(Darwin)
            var on: Int32 = 1
            _ = setsockopt(descriptor, SOL_SOCKET, SO_NOSIGPIPE, &on, socklen_t(MemoryLayout<Int32>.size))
        #endif

        let length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                systemConnect(descriptor, sockaddrPointer, length)
            }
        }
        guard result == 0 else {
            let code = errno
            _ = systemClose(descriptor)
            throw ControlError.unreachable(path: path, errno: code)
        }
        return UnixSocket(descriptor: descriptor)
    }

    /// Writes all of `bytes`; the errno on failure.
    func send(_ bytes: [UInt8]) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                systemSend(descriptor, buffer.baseAddress! + offset, buffer.count - offset, noSignal)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }

    /// Reads what has arrived, up to `buffer.count` bytes: the count, 0 at end of stream, or the errno.
    func receive(into buffer: inout [UInt8]) -> Result<Int, SocketReadError> {
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count >= 0 { return .success(count) }
            if errno == EINTR { continue }
            return .failure(SocketReadError(code: errno))
        }
    }

    func close() {
        _ = systemClose(descriptor)
    }

    #if canImport(Glibc)
        private var noSignal: Int32 { Int32(MSG_NOSIGNAL) }
    #else
        private var noSignal: Int32 { 0 }
    #endif
}

struct SocketReadError: Error {
    var code: Int32
}

// The C functions under names that do not collide with UnixSocket's own methods.
private func systemConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}

private func systemSend(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int, _ flags: Int32) -> Int {
    send(fd, bytes, count, flags)
}

private func systemClose(_ fd: Int32) -> Int32 {
    close(fd)
}
