import Foundation
import Synchronization

/// One daemon per state directory: an exclusive `flock` on `state.lock` in it, held until
/// ``release()`` or the process ends.
///
/// Two slad on one state both served and each committed over the other's sequence (a breach recorded
/// twice after a restart). The lock is advisory, so it guards against a second slad, not against an
/// operator's `sqlite3`; the kernel drops it when the process dies, so a `kill -9` never leaves a
/// stale lock behind. The holder writes its PID into the file, so the one refused can name it.
public final class StateLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Mutex<Int32>

    /// The lock file's name in the state directory.
    public static let fileName = "state.lock"

    /// Creates the directory if need be (as ``StateStore`` does) and takes the lock, without waiting.
    ///
    /// - Throws: ``StoreError/locked(directory:holder:)`` when another process holds it.
    public init(directory: String) throws(StoreError) {
        try StateStore.makeDirectory(directory)
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw .directory(path: path, operation: "open the lock file", errno: errno) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            let holder = error == EWOULDBLOCK ? Self.readPID(fd) : nil
            close(fd)
            guard error == EWOULDBLOCK else {
                throw .directory(path: path, operation: "lock the state directory", errno: error)
            }
            throw .locked(directory: directory, holder: holder)
        }
        let text = Array("\(getpid())\n".utf8)
        // The PID is for the message of the next one refused; failing to write it changes nothing else.
        if ftruncate(fd, 0) == 0 { _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
        descriptor = Mutex(fd)
    }

    /// The PID the holder wrote; nil while it has not written it yet, or when the file holds something else.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return Int32(text).flatMap { $0 > 0 ? $0 : nil }
    }

    /// Lets another process take the state; later calls do nothing.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)  // closing the last descriptor of the open file drops the flock
            fd = -1
        }
    }

    deinit {
        release()
    }
}
