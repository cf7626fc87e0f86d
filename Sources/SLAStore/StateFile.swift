import Foundation
import GRDB
import GRDBSQLite

/// What `state.sqlite` must be before slad serves it, and how a first start makes it.
///
/// Only a missing file is a first start. A file that exists is slad's state or it is refused: SQLite
/// opens an empty file, or another program's database, as a database with no rows, and a damaged
/// page reads back as wrong fields, so without these checks slad would serve 0 of 300 tickets, or
/// 300 with wrong fields, without a word.
enum StateFile {
    /// The tables every slad state has had since v1.
    static let tables: Set<String> = ["grdb_migrations", "event", "configuration", "record", "meta"]

    /// Makes a first start's file: migrated under a temporary name, then renamed into place, so
    /// that a crash halfway leaves no file (a first start again), never an empty one (refused).
    static func create(path: String) throws {
        let temporary = path + ".new"
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        let queue = try DatabaseQueue(path: temporary)
        try Schema.migrator.migrate(queue)
        try queue.close()
        guard rename(temporary, path) == 0 else {
            throw StoreError.directory(path: path, operation: "rename \(temporary) to it", errno: errno)
        }
        let directory = (path as NSString).deletingLastPathComponent
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Runs `body` on a connection of its own to `path`, outside any transaction, then closes it.
    static func withConnection<T>(path: String, label: String, _ body: (Database) throws -> T) throws -> T {
        var configuration = Configuration()
        configuration.label = label
        // The writer holds its lock for a commit's moment; wait for it rather than fail.
        configuration.busyMode = .timeout(5)
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.inDatabase(body)
    }

    /// Refuses a file slad must not serve, before anything writes to it, and returns the number of
    /// commits it holds.
    ///
    /// - Parameter marked: the commits the marker file counts (see ``CommitMarker``), if it exists.
    static func inspect(path: String, marked: Int64?) throws -> Int64 {
        func damaged(_ reason: String) -> StoreError { .damaged(path: path, reason: reason) }
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw StoreError.directory(path: path, operation: "look at the state file", errno: errno)
        }
        if status.st_size == 0 {
            throw damaged("the file is empty (0 bytes), and only a missing file is a first start")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError.directory(path: path, operation: "read the state file", errno: errno)
        }
        let header = handle.readData(ofLength: 16)
        try? handle.close()
        guard header == Data("SQLite format 3\0".utf8) else {
            throw damaged("it is not an SQLite database (its first bytes are not SQLite's header)")
        }
        do {
            return try withConnection(path: path, label: "slad.state.check") { db in
                // quick_check reads every page and checks the b-trees' structure (not that indexes match
                // their tables, which integrity_check adds at several times the cost).
                let problems: [String]
                do {
                    problems = try String.fetchAll(db, sql: "PRAGMA quick_check(5)")
                } catch let error as DatabaseError {
                    // A page too damaged for the check to go on (a b-tree page of zeros, say).
                    throw damaged("SQLite's quick check found: \(error.message ?? "\(error)")")
                }
                guard problems == ["ok"] else {
                    throw damaged("SQLite's quick check found: \(problems.joined(separator: "; "))")
                }
                let present = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'"))
                if present.isEmpty {
                    throw damaged("the database holds no tables, and only a missing file is a first start")
                }
                let missing = tables.subtracting(present)
                if !missing.isEmpty {
                    let found = present.sorted().joined(separator: ", ")
                    throw damaged("it is not a slad state (it has the tables \(found), not \(missing.sorted().joined(separator: ", ")))")
                }
                guard try Bool.fetchOne(db, sql: "SELECT count(*) > 0 FROM grdb_migrations WHERE identifier = 'v1'") == true
                else { throw damaged("it is not a slad state (no v1 in its migrations)") }
                let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(meta)").map { $0["name"] as String }
                let commits =
                    columns.contains("commit_seq")
                    ? try Int64.fetchOne(db, sql: "SELECT commit_seq FROM meta WHERE id = 1") ?? 0 : 0
                if let marked, commits < marked {
                    throw damaged(
                        "it holds \(commits) commits, but \(CommitMarker.fileName) counts \(marked) made and "
                            + "acknowledged: the last \(marked - commits) are missing (the write-ahead log "
                            + "state.sqlite-wal was deleted or damaged, or this is an older copy of the file). "
                            + "To serve what the file holds anyway, losing those commits, remove "
                            + CommitMarker.fileName)
                }
                return commits
            }
        } catch let error as DatabaseError
            where [SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_FORMAT].contains(error.resultCode.rawValue)
        {
            throw damaged("SQLite cannot read it: \(error.message ?? "\(error)")")
        }
    }
}
