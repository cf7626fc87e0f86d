import Foundation
import Synchronization

/// The number of the last commit, in a small file beside the database (`state.commits`), synced
/// after each commit.
///
/// The database counts its commits too (`meta.commit_seq`), in the same transaction as their rows.
/// The marker is written only after a commit is durable, so it never counts more than the database
/// holds, unless the database lost commits: a write-ahead log deleted or damaged after a crash
/// (SQLite then silently opens the older file), or an older copy of the file put in its place. At
/// start a database that counts fewer commits than the marker is refused, not served.
final class CommitMarker: Sendable {
    let path: String
    private let descriptor: Mutex<Int32>

    static let fileName = "state.commits"

    /// Twenty digits and a newline: every write has the same size, so it overwrites in place and
    /// never needs a block the disk may not have.
    private static func text(_ value: Int64) -> [UInt8] {
        let digits = String(value)
        return Array((String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "\n").utf8)
    }

    /// The count the file holds; nil when it is missing or empty (created, never written: a crash
    /// right after it was made).
    static func read(path: String) throws(StoreError) -> Int64? {
        guard let data = FileManager.default.contents(atPath: path) else {
            if access(path, F_OK) != 0, errno == ENOENT { return nil }
            throw .directory(path: path, operation: "read the commit count", errno: errno)
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw .damaged(path: path, reason: "it should hold the number of commits made, and holds something else")
        }
        return value
    }

    /// Opens (or creates) the file and writes `value` unless it already holds it.
    init(path: String, value: Int64, holds: Int64?) throws(StoreError) {
        self.path = path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard fd >= 0 else { throw .directory(path: path, operation: "open the commit count", errno: errno) }
        descriptor = Mutex(fd)
        if holds != value {
            guard write(value) else { throw .directory(path: path, operation: "write the commit count", errno: errno) }
            // The file's name must survive a power loss too, or the next start would find no count.
            let directory = (path as NSString).deletingLastPathComponent
            let directoryFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if directoryFD >= 0 {
                fsync(directoryFD)
                Glibc.close(directoryFD)
            }
        }
    }

    /// Writes and syncs the count; false (errno set) when either failed.
    ///
    /// A failure is not the commit's: its rows are durable already. The marker then lags the
    /// database, which weakens the check for those commits but never makes it refuse a good file.
    @discardableResult
    func write(_ value: Int64) -> Bool {
        let bytes = Self.text(value)
        return descriptor.withLock { fd in
            guard fd >= 0 else { return false }
            let written = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return written == bytes.count && fdatasync(fd) == 0
        }
    }

    func close() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            Glibc.close(fd)
            fd = -1
        }
    }

    deinit {
        close()
    }
}
