import Dispatch
import Foundation
import SLAStore

/// Why a backup was not written, as `io.slad.Sla.BackupFailed` tells it.
public struct BackupRefusal: Error, Sendable, Equatable {
    public var path: String
    public var reason: String
}

/// `Backup(path)`: a consistent copy of the state, written while slad runs.
///
/// slad writes the file, often as root, at a path a writer names: it must not become a way to create
/// files where the writer could not. So the folder must be the caller's own (or the caller root or
/// slad's user), the file must not exist, and it is created with `O_EXCL | O_NOFOLLOW` in the folder
/// opened once, whose owner is checked on that descriptor: a symlink swapped in later leads nowhere.
/// SQLite then writes through `/proc/self/fd/N`, the file just created and nothing else.
enum StateBackup {
    static func write(store: StateStore, to path: String, for caller: uid_t) async -> Result<Int64, BackupRefusal> {
        await withCheckedContinuation { continuation in
            // Off the engine's queue and the event loops: a copy of gigabytes takes a while.
            DispatchQueue.global(qos: .utility).async {
                continuation.resume(returning: Result { () throws(BackupRefusal) in
                    try write(store: store, path: path, caller: caller)
                })
            }
        }
    }

    private static func write(store: StateStore, path: String, caller: uid_t) throws(BackupRefusal) -> Int64 {
        func refuse(_ reason: String) -> BackupRefusal { BackupRefusal(path: path, reason: reason) }
        func failure(_ what: String, _ error: Int32) -> BackupRefusal {
            refuse("cannot \(what): \(String(cString: strerror(error)))")
        }
        guard path.hasPrefix("/") else { throw refuse("the path must be absolute (slactl makes it so)") }
        let folder = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard !name.isEmpty, name != ".", name != "..", !path.hasSuffix("/") else { throw refuse("the path names no file") }
        let directory = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard directory >= 0 else { throw failure("open the folder \(folder)", errno) }
        defer { close(directory) }
        var status = stat()
        guard fstat(directory, &status) == 0 else { throw failure("look at the folder \(folder)", errno) }
        let privileged = caller == 0 || caller == getuid()
        guard privileged || status.st_uid == caller else {
            throw refuse("the folder \(folder) is not yours (uid \(caller)); write the backup into a folder you own")
        }
        let fd = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw errno == EEXIST ? refuse("the file exists; a backup never overwrites one") : failure("create it", errno)
        }
        defer { close(fd) }
        do {
            try store.backup(to: "/proc/self/fd/\(fd)")
        } catch {
            unlinkat(directory, name, 0)
            throw refuse("\(error)")
        }
        if !privileged, getuid() == 0 {
            // The caller's copy: readable by the caller, who could not otherwise read the state.
            _ = fchown(fd, caller, gid_t.max)
        }
        guard fstat(fd, &status) == 0 else { throw failure("look at the copy", errno) }
        return Int64(status.st_size)
    }
}

extension EngineHost {
    /// Writes a consistent copy of the state to `path` for the peer `caller` (see ``StateBackup``);
    /// returns its size in bytes.
    public func backup(to path: String, for caller: uid_t) async -> Result<Int64, BackupRefusal> {
        await StateBackup.write(store: store, to: path, for: caller)
    }
}
