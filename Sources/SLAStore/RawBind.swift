import GRDB
import GRDBSQLite

/// `sqlite3_bind_*` for the insert hot path. A bind fails only on a wrong index or a misused
/// statement, which is a bug here (as GRDB treats it), not a condition to handle.
enum RawBind {
    /// SQLite copies the text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// A statement stepped since its last reset refuses bindings (SQLITE_MISUSE); GRDB resets only
    /// before it steps. Resetting keeps the bindings, and the error of the last step is GRDB's to report.
    static func reset(_ statement: SQLiteStatement) {
        sqlite3_reset(statement)
    }

    static func int(_ value: Int64?, _ index: CInt, _ statement: SQLiteStatement) {
        let code = value.map { sqlite3_bind_int64(statement, index, $0) } ?? sqlite3_bind_null(statement, index)
        precondition(code == SQLITE_OK, "binding parameter \(index) failed with SQLite code \(code)")
    }

    static func text(_ value: String?, _ index: CInt, _ statement: SQLiteStatement) {
        guard var value else {
            let code = sqlite3_bind_null(statement, index)
            precondition(code == SQLITE_OK, "binding parameter \(index) failed with SQLite code \(code)")
            return
        }
        let code = value.withUTF8 { bytes in
            // A non-nil pointer even for "": a NULL one would bind NULL rather than empty text.
            bytes.withMemoryRebound(to: CChar.self) { chars in
                guard let base = chars.baseAddress else { return sqlite3_bind_text(statement, index, "", 0, transient) }
                return sqlite3_bind_text(statement, index, base, CInt(chars.count), transient)
            }
        }
        precondition(code == SQLITE_OK, "binding parameter \(index) failed with SQLite code \(code)")
    }
}
