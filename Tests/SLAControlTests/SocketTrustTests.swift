import Foundation
import SLAControl
import SLASocketTrust
import Testing

/// The rule by which slad and slactl trust the folder of a socket, on real folders.
@Suite("Socket folder trust")
struct SocketTrustTests {
    /// A folder in a fresh root-owned 0755 parent; removed at the end.
    private func folders(_ body: (_ parent: String) throws -> Void) throws {
        var template = Array("/tmp/slactl-trust.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil)
        let parent = String(cString: made!)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        #expect(chmod(parent, 0o755) == 0)
        try body(parent)
    }

    @Test("a folder others may write to is refused by both sides")
    func writableByOthers() throws {
        try folders { parent in
            let folder = parent + "/open"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            #expect(chmod(folder, 0o777) == 0)
            let socket = folder + "/io.slad.Sla"
            #expect(SocketDirectory.distrust(of: socket, side: .server(uid: geteuid()))?.contains("mode 777") == true)
            #expect(SocketDirectory.distrust(of: socket, side: .client(uid: geteuid())) != nil)
            #expect(chmod(folder, 0o755) == 0)
            #expect(SocketDirectory.distrust(of: socket, side: .server(uid: geteuid())) == nil)
            #expect(SocketDirectory.distrust(of: socket, side: .client(uid: geteuid())) == nil)
        }
    }

    @Test("another user's folder: slad refuses it; slactl takes it only when root made it for that user")
    func anotherUsersFolder() throws {
        try #require(geteuid() == 0, "giving a folder to another uid needs root (CI runs as root)")
        try folders { parent in
            let folder = parent + "/theirs"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            #expect(chown(folder, 4242, 4242) == 0)
            let socket = folder + "/io.slad.Sla"
            #expect(SocketDirectory.distrust(of: socket, side: .server(uid: 0))?.contains("uid 4242") == true)
            #expect(SocketDirectory.distrust(of: socket, side: .server(uid: 4242)) == nil)
            // In a parent only root writes (as /run): root gave it to that user, as systemd's RuntimeDirectory does.
            #expect(SocketDirectory.distrust(of: socket, side: .client(uid: 0)) == nil)
            // In a parent anyone writes (as /tmp): that user made it, and may be serving a fake slad.
            #expect(chmod(parent, 0o1777) == 0)
            #expect(SocketDirectory.distrust(of: socket, side: .client(uid: 0))?.contains("uid 4242") == true)
            #expect(SocketDirectory.distrust(of: socket, side: .client(uid: 4242)) == nil)
            // slactl does not connect there, and says why.
            do {
                _ = try VarlinkClient(socketPath: socket)
                Issue.record("slactl connected through an untrusted folder")
            } catch let error as ControlError {
                guard case .untrustedSocket = error else {
                    Issue.record("expected .untrustedSocket, got \(error)")
                    return
                }
                #expect(error.exitStatus == ControlExitStatus.unreachable)
            }
        }
    }
}
