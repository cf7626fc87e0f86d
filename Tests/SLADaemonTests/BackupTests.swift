import Foundation
import SLADaemon
import Testing

@Suite("Backup: slad writes the copy, so only where the caller could", .serialized)
struct BackupTests {
    @Test("a caller's backup goes only into a folder the caller owns, and becomes the caller's file")
    func ownership() async throws {
        let host = try HostFixture().open()
        defer { host.stop() }
        let folder = try temporaryDirectory()
        let caller: uid_t = 4242
        let refused = await host.backup(to: folder + "/copy.sqlite", for: caller)
        guard case .failure(let refusal) = refused else {
            Issue.record("a backup into another's folder: \(refused)")
            return
        }
        #expect(refusal.reason.contains("is not yours"), "\(refusal)")
        #expect(!FileManager.default.fileExists(atPath: folder + "/copy.sqlite"))
        // Only root may give the folder away; otherwise the ownership half is skipped.
        guard getuid() == 0 else { return }
        #expect(chown(folder, caller, 0) == 0)
        let written = await host.backup(to: folder + "/copy.sqlite", for: caller)
        #expect(((try? written.get()) ?? 0) > 0, "\(written)")
        let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/copy.sqlite")
        #expect((attributes[.ownerAccountID] as? NSNumber)?.uint32Value == caller)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    }

    @Test("a relative path, a path naming no file, or a symlink put where the file goes is refused", arguments: [
        "relative.sqlite", "/", "LINK",
    ])
    func refused(path: String) async throws {
        let host = try HostFixture().open()
        defer { host.stop() }
        let folder = try temporaryDirectory()
        let target = folder + "/elsewhere"
        #expect(symlink(target, folder + "/link") == 0)
        let result = await host.backup(to: path == "LINK" ? folder + "/link" : path, for: 0)
        guard case .failure = result else {
            Issue.record("\(path): \(result)")
            return
        }
        #expect(!FileManager.default.fileExists(atPath: target))
    }
}
