import Foundation
import GRDB
import SLACore
import Testing

@testable import SLAStore

/// The state slad refuses to serve, and the one slad per state directory.
@Suite("State store integrity: one daemon per state, damaged state refused")
struct StateIntegrityTests {
    /// A closed store in `directory` with `tickets` tickets of one event and one record each.
    private func populate(_ directory: String, tickets: Int = 300) throws {
        let store = try StateStore(directory: directory)
        try store.commit((0..<tickets).map { unit("INC-\($0)", at: Int64($0)) })
        try store.close()
    }

    private func statePath(_ directory: String) -> String {
        (directory as NSString).appendingPathComponent("state.sqlite")
    }

    /// The reason of the `.damaged` error opening `directory` throws; nil when it opens.
    private func refusal(_ directory: String) -> String? {
        do {
            _ = try StateStore(directory: directory)
            return nil
        } catch {
            guard case .damaged(let path, let reason) = error, path == statePath(directory) else {
                return "not a damaged-state error: \(error)"
            }
            return reason
        }
    }

    @Test("a second lock on one state directory is refused, naming the holder's PID; released, it can be taken")
    func lock() throws {
        try withTemporaryDirectory { directory in
            let first = try StateLock(directory: directory)
            #expect(throws: StoreError.locked(directory: directory, holder: getpid())) {
                try StateLock(directory: directory)
            }
            let message = "\(StoreError.locked(directory: directory, holder: getpid()))"
            #expect(message.contains("PID \(getpid())"))
            first.release()
            let second = try StateLock(directory: directory)
            second.release()
        }
    }

    @Test("a state file truncated to 0 bytes is damage, not a first start")
    func empty() throws {
        try withTemporaryDirectory { directory in
            try populate(directory)
            #expect(truncate(statePath(directory), 0) == 0)
            #expect(refusal(directory)?.contains("empty (0 bytes)") == true)
            // Refused without a write: the file is still as found.
            #expect(try FileManager.default.attributesOfItem(atPath: statePath(directory))[.size] as? Int == 0)
        }
    }

    @Test("a page of zeros anywhere in the file is refused by the quick check")
    func zeroedPage() throws {
        try withTemporaryDirectory { root in
            let pristine = (root as NSString).appendingPathComponent("pristine")
            try populate(pristine)
            let size = try #require(try FileManager.default.attributesOfItem(atPath: statePath(pristine))[.size] as? Int)
            let pageSize = 4096
            let pages = size / pageSize
            #expect(pages > 10)
            // Page 1 holds the header and the start of the schema; the other pages are the schema's rest,
            // tables' and indexes'.
            for page in 2...pages {
                let directory = (root as NSString).appendingPathComponent("page-\(page)")
                try FileManager.default.copyItem(atPath: pristine, toPath: directory)
                let handle = try #require(FileHandle(forUpdatingAtPath: statePath(directory)))
                try handle.seek(toOffset: UInt64((page - 1) * pageSize))
                handle.write(Data(count: pageSize))
                try handle.close()
                let reason = refusal(directory)
                // Most pages fail the quick check; a page of the schema (which outgrew page 1 with the outbox's and
                // the outcomes' tables) fails the reads after it or the open itself ("database disk image is
                // malformed"): refused all the same, before anything is served.
                let refused =
                    reason?.contains("quick check") == true || reason?.contains("SQLite cannot read it") == true
                    || reason?.contains("disk image is malformed") == true
                #expect(refused, "page \(page) of \(pages): \(reason ?? "served")")
            }
        }
    }

    @Test("a write-ahead log deleted after a crash is detected: the file holds fewer commits than were acknowledged")
    func lostLog() throws {
        try withTemporaryDirectory { root in
            let directory = (root as NSString).appendingPathComponent("live")
            let crashed = (root as NSString).appendingPathComponent("crashed")
            let store = try StateStore(directory: directory)
            for ticket in 0..<100 { try store.commit([unit("INC-\(ticket)")]) }
            // What a kill -9 leaves, without its log: the file (nothing was checkpointed into it yet) and
            // the marker, copied while the store is still open.
            try FileManager.default.createDirectory(atPath: crashed, withIntermediateDirectories: true)
            for name in ["state.sqlite", "state.commits"] {
                try FileManager.default.copyItem(
                    atPath: (directory as NSString).appendingPathComponent(name),
                    toPath: (crashed as NSString).appendingPathComponent(name))
            }
            #expect(try CommitMarker.read(path: (crashed as NSString).appendingPathComponent("state.commits")) == 100)
            let reason = try #require(refusal(crashed))
            #expect(reason.contains("holds 0 commits") && reason.contains("counts 100"), "\(reason)")
            #expect(reason.contains("state.sqlite-wal"))
            // The live one, with its log, is whole.
            try store.close()
            #expect(refusal(directory) == nil)
        }
    }

    @Test("a missing file is refused when the marker counts commits made to it")
    func missingFile() throws {
        try withTemporaryDirectory { directory in
            try populate(directory)
            #expect(unlink(statePath(directory)) == 0)
            #expect(refusal(directory)?.contains("missing") == true)
        }
    }

    @Test(
        "a file that is not slad's state is refused: another program's database, one with no tables, not SQLite",
        arguments: [
            ("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes VALUES (1, 'x');", "not a slad state"),
            ("PRAGMA user_version = 7;", "no tables"),
            ("CREATE TABLE event (seq INTEGER); CREATE TABLE record (seq INTEGER);", "not a slad state"),
        ])
    func foreign(sql: String, expected: String) throws {
        try withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            StateStore.prepareSQLite()
            let queue = try DatabaseQueue(path: statePath(directory))
            try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
            try queue.close()
            let reason = refusal(directory)
            #expect(reason?.contains(expected) == true, "\(reason ?? "served")")
        }
    }

    @Test("a file that is not SQLite at all is refused")
    func notSQLite() throws {
        try withTemporaryDirectory { directory in
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: statePath(directory)))
            #expect(refusal(directory)?.contains("not an SQLite database") == true)
        }
    }

    @Test("each commit is counted in the file and in the marker; a good file without a marker gets one")
    func counting() throws {
        try withTemporaryDirectory { directory in
            try populate(directory, tickets: 3)  // one commit
            let marker = (directory as NSString).appendingPathComponent("state.commits")
            #expect(try CommitMarker.read(path: marker) == 1)
            do {
                let store = try StateStore(directory: directory)
                try store.commit([unit("A")])
                try store.commit([unit("B"), unit("C")])
                #expect(try CommitMarker.read(path: marker) == 3)
                let counted = try store.database.read { try Int64.fetchOne($0, sql: "SELECT commit_seq FROM meta") }
                #expect(counted == 3)
                try store.close()
            }
            // A file restored from a backup into an emptied directory: served, and counted from there on.
            #expect(unlink(marker) == 0)
            let store = try StateStore(directory: directory)
            #expect(try CommitMarker.read(path: marker) == 3)
            #expect(try ticketsInLog(store).count == 6)
        }
    }

    @Test("a clean close leaves no log beside the file: the file alone holds every commit")
    func cleanClose() throws {
        try withTemporaryDirectory { root in
            let directory = (root as NSString).appendingPathComponent("state")
            let store = try StateStore(directory: directory, checkpointThreshold: 1 << 40)
            for ticket in 0..<200 { try store.commit([unit("INC-\(ticket)")]) }
            let wal = statePath(directory) + "-wal"
            #expect((try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int ?? 0) > 0)
            try store.close()
            let left = try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int
            #expect(left == nil || left == 0, "\(left ?? 0) bytes of log left")
            // The file copied alone, as a file backup would.
            let copy = (root as NSString).appendingPathComponent("copy")
            try FileManager.default.createDirectory(atPath: copy, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: statePath(directory), toPath: statePath(copy))
            let reopened = try StateStore(directory: copy)
            #expect(try ticketsInLog(reopened).count == 200)
        }
    }

    @Test("a backup taken while commits go on is one consistent file that opens as a state; it never overwrites")
    func backup() throws {
        try withTemporaryDirectory { root in
            let store = try StateStore(directory: (root as NSString).appendingPathComponent("live"))
            for ticket in 0..<50 { try store.commit([unit("INC-\(ticket)")]) }
            let restored = (root as NSString).appendingPathComponent("restored")
            try FileManager.default.createDirectory(atPath: restored, withIntermediateDirectories: true)
            try store.backup(to: statePath(restored))
            try store.commit([unit("LATER")])
            #expect(!FileManager.default.fileExists(atPath: statePath(restored) + "-wal"))
            #expect(throws: StoreError.self) { try store.backup(to: statePath(restored)) }

            let copy = try StateStore(directory: restored)
            #expect(try ticketsInLog(copy).count == 50)
            #expect(try copy.database.read { try Int64.fetchOne($0, sql: "SELECT commit_seq FROM meta") } == 50)
        }
    }
}
