import Foundation
import GRDB

/// Why the store could not keep or give back state. Each case names the file, so the journal line
/// tells an operator where to look; SQLite's own code and message are kept as SQLite gave them.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The state directory could not be made or used; `errno` as the system call set it.
    case directory(path: String, operation: String, errno: Int32)
    /// SQLite refused: `code` is the extended result code (275 is a failed CHECK constraint), or 0
    /// when GRDB could not decode a value SQLite returned.
    case sqlite(path: String, code: Int32, message: String)
    /// The file was migrated by a newer slad: this one would not know its tables.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A row that the schema should have refused: the file was changed behind slad's back.
    case corruptRow(path: String, table: String, seq: Int64, reason: String)
    /// The group committer was closed before the unit was submitted; nothing was written.
    case closed(path: String)
    /// Another process (another slad) holds the state directory's lock; `holder` is the PID it wrote.
    case locked(directory: String, holder: Int32?)
    /// The file is not a state slad can serve: damaged, empty, not SQLite, another program's, or
    /// missing commits that were acknowledged. slad refuses it rather than serve a wrong state.
    case damaged(path: String, reason: String)

    public var description: String {
        switch self {
        case .directory(let path, let operation, let errno):
            return "\(path): cannot \(operation): \(String(cString: strerror(errno))) (errno \(errno))"
        case .sqlite(let path, let code, let message):
            return "\(path): SQLite error \(code): \(message)"
        case .newerSchema(let path, let unknown):
            return "\(path): written by a newer slad (migrations \(unknown.joined(separator: ", ")) are unknown "
                + "to this one); upgrade slad or move the file away"
        case .corruptRow(let path, let table, let seq, let reason):
            return "\(path): table \(table), seq \(seq): \(reason)"
        case .closed(let path):
            return "\(path): the store is closed; nothing was written"
        case .locked(let directory, let holder):
            let who = holder.map { "another slad (PID \($0))" } ?? "another process"
            return "\(directory) is in use by \(who): two daemons on one state would corrupt it; stop that one "
                + "or give this one another --state"
        case .damaged(let path, let reason):
            return "\(path): the state cannot be served: \(reason). Restore a backup (README: Backup and restore), "
                + "or move the state directory away to start empty"
        }
    }

    /// Whether the disk (or the user's quota) is full: slad then stays up, refuses new events and
    /// keeps what the timer fires until a commit succeeds again, rather than stop on a state it can read.
    public var isStorageFull: Bool {
        guard case .sqlite(_, let code, _) = self else { return false }
        return code & 0xff == 13  // SQLITE_FULL, also what SQLite returns for ENOSPC and EDQUOT on write
    }

    /// The error GRDB threw, in the store's terms. Errors that are not GRDB's (a caller's, thrown
    /// from inside a read) are not wrapped: they are the caller's to interpret.
    static func wrapping(_ error: any Error, path: String) -> any Error {
        switch error {
        case let error as StoreError:
            return error
        case let error as DatabaseError:
            return StoreError.sqlite(
                path: path, code: error.extendedResultCode.rawValue, message: error.message ?? "\(error)")
        case let error as RowDecodingError:
            return StoreError.sqlite(path: path, code: 0, message: "\(error)")
        default:
            return error
        }
    }

    /// The error as a StoreError, for the methods that only ever throw store errors.
    static func converting(_ error: any Error, path: String) -> StoreError {
        if let error = wrapping(error, path: path) as? StoreError { return error }
        return .sqlite(path: path, code: 0, message: "\(error)")
    }
}
