import CSystemd
import Foundation

/// Socket activation (sd_listen_fds(3)): the listening sockets systemd passed, with their names.
public enum ListenDescriptors {
    /// The name `slad.socket` gives its socket (`FileDescriptorName=varlink`).
    public static let varlinkName = "varlink"
    /// The name `slad-http.socket` gives its socket (`FileDescriptorName=http`).
    public static let httpName = "http"

    /// The descriptors passed, read once: sd_listen_fds_with_names unsets the variables so children do
    /// not take them, and each socket is asked for by its name afterwards.
    private static let passed: Result<[(fd: Int32, name: String)], SystemdError> = {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        if count < 0 {
            return .failure(SystemdError(call: "sd_listen_fds_with_names", returned: count, context: "LISTEN_FDS"))
        }
        defer {
            if let names {
                for index in 0..<Int(count) { free(names[index]) }
                free(names)
            }
        }
        return .success(
            (0..<Int(count)).map { index in
                (SD_LISTEN_FDS_START + Int32(index), names?[index].map { String(cString: $0) } ?? "")
            })
    }()

    /// The descriptor to serve on: the one named `varlink`, else the only one passed when it is not
    /// named `http`; nil when systemd passed none to this process.
    ///
    /// Throws when the variables are malformed, or several descriptors came and none is named
    /// `varlink`, or the chosen one is not a listening Unix stream socket.
    public static func varlink() throws(SystemdError) -> Int32? {
        let all = try passed.get().filter { $0.name != httpName }
        guard !all.isEmpty else { return nil }
        var chosen = all.first { $0.name == varlinkName }?.fd
        if chosen == nil, all.count == 1 { chosen = all[0].fd }
        guard let fd = chosen else {
            throw SystemdError(
                call: "sd_listen_fds_with_names", errno: EBADF,
                context: "\(all.count) sockets passed and none is named \(varlinkName)")
        }
        let check = sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0)
        if check < 0 { throw SystemdError(call: "sd_is_socket_unix", returned: check, context: "fd \(fd)") }
        if check == 0 {
            throw SystemdError(
                call: "sd_is_socket_unix", errno: ENOTSOCK, context: "fd \(fd) is not a listening Unix stream socket")
        }
        return fd
    }

    /// The listening TCP socket named `http` (slad-http.socket), nil when none was passed.
    ///
    /// Throws when the variables are malformed or the socket is not a listening stream socket.
    public static func http() throws(SystemdError) -> Int32? {
        guard let fd = try passed.get().first(where: { $0.name == httpName })?.fd else { return nil }
        let check = sd_is_socket(fd, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1)
        if check < 0 { throw SystemdError(call: "sd_is_socket", returned: check, context: "fd \(fd)") }
        if check == 0 {
            throw SystemdError(
                call: "sd_is_socket", errno: ENOTSOCK, context: "fd \(fd) (\(httpName)) is not a listening stream socket")
        }
        return fd
    }
}
