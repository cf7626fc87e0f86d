import Foundation
import Testing

@testable import SLAVarlink

/// The socket file bind() makes: its mode and group, and what it refuses to touch.
@Suite("Varlink server socket file")
struct SocketFileTests {
    @Test("the socket gets the mode and group asked for, whatever the umask took away")
    func modeAndGroup() async throws {
        let directory = TemporaryDirectory()
        let path = directory.path + "/io.slad.Test"
        let server = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
        // 0o664 has bits a umask of 022 (the usual, and this process's at most) would take away.
        try await server.bind(path: path, mode: 0o664, group: 4242)
        var status = stat()
        #expect(lstat(path, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFSOCK)
        #expect(status.st_mode & 0o7777 == 0o664)
        #expect(status.st_gid == 4242)
        await server.shutdown()
        #expect(access(path, F_OK) != 0, "shutdown removes the socket it made")
    }

    @Test("a symlink or a file at the socket's path is left alone, and the file it names keeps its mode")
    func symlinkOrFileInTheWay() async throws {
        let directory = TemporaryDirectory()
        let victim = directory.path + "/victim"
        #expect(FileManager.default.createFile(atPath: victim, contents: Data("secret".utf8)))
        #expect(chmod(victim, 0o600) == 0)
        for inTheWay in ["link", "file"] {
            let path = directory.path + "/" + inTheWay
            if inTheWay == "link" {
                #expect(symlink(victim, path) == 0)
            } else {
                #expect(FileManager.default.createFile(atPath: path, contents: nil))
            }
            let server = VarlinkServer(service: TestService(recorder: Recorder()), logger: testLogger)
            await #expect(throws: VarlinkServerError.self) { try await server.bind(path: path, group: 4242) }
            var status = stat()
            #expect(lstat(path, &status) == 0, "\(inTheWay) is still there")
            #expect(stat(victim, &status) == 0)
            #expect(status.st_mode & 0o7777 == 0o600)
            #expect(status.st_gid != 4242)
            await server.shutdown()
        }
    }
}
