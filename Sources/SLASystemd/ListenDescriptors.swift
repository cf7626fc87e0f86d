import CSystemd
import Foundation

/// Socket activation (sd_listen_fds(3)): the listening sockets systemd passed, with their names.
public enum ListenDescriptors {
    /// The name `slad.socket` gives its socket (`FileDescriptorName=varlink`).
    public static let varlinkName = "varlink"

    /// The descriptor to serve on: the one named `varlink`, else the only one passed; nil when
    /// systemd passed none to this process. The variables are unset so children do not take it.
    ///
    /// Throws when the variables are malformed, or several descriptors came and none is named
    /// `varlink`, or the chosen one is not a listening Unix stream socket.
    public static func varlink() throws(SystemdError) -> Int32? {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        if count < 0 { throw SystemdError(call: "sd_listen_fds_with_names", returned: count, context: "LISTEN_FDS") }
        defer {
            if let names {
                for index in 0..<Int(count) { free(names[index]) }
                free(names)
            }
        }
        guard count > 0 else { return nil }
        var chosen: Int32?
        for index in 0..<Int(count) {
            let name = names?[index].map { String(cString: $0) } ?? ""
            if name == varlinkName {
                chosen = SD_LISTEN_FDS_START + Int32(index)
                break
            }
        }
        if chosen == nil, count == 1 { chosen = SD_LISTEN_FDS_START }
        guard let fd = chosen else {
            throw SystemdError(
                call: "sd_listen_fds_with_names", errno: EBADF,
                context: "\(count) sockets passed and none is named \(varlinkName)")
        }
        let check = sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0)
        if check < 0 { throw SystemdError(call: "sd_is_socket_unix", returned: check, context: "fd \(fd)") }
        if check == 0 {
            throw SystemdError(
                call: "sd_is_socket_unix", errno: ENOTSOCK, context: "fd \(fd) is not a listening Unix stream socket")
        }
        return fd
    }
}
