#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Whether the folder that holds slad's socket can be trusted, by slad before it serves there and
/// by slactl before it talks to what answers there.
///
/// A folder another user owns, or one others may write to, lets that user put their own socket at
/// the path: a fake slad that reads what root submits, or answers root's `slactl status`. The rule
/// is ssh-agent's and tmux's: the folder is owned by the expected user and writable by nobody else.
public enum SocketDirectory {
    /// Who checks, and so whose folder is expected.
    public enum Side: Sendable {
        /// slad, running as this uid: the folder is its own or root's.
        case server(uid: UInt32)
        /// slactl, running as this uid: the folder is root's or its own, or was made by root for a
        /// service user (its parent is root's and writable by nobody else, as /run is for systemd's
        /// RuntimeDirectory=slad).
        case client(uid: UInt32)
    }

    /// Why the folder holding `socketPath` is not to be trusted, as a sentence; nil when it is, or
    /// when it does not exist (binding or connecting then fails with its own error).
    public static func distrust(of socketPath: String, side: Side) -> String? {
        let folder = parent(of: socketPath)
        guard let status = status(of: folder) else { return nil }
        guard (status.st_mode & S_IFMT) == S_IFDIR else { return "\(folder) is not a folder" }
        if status.st_mode & 0o022 != 0 {
            let mode = String(status.st_mode & 0o7777, radix: 8)
            return "the socket's folder \(folder) may be written by other users (mode \(mode)); "
                + "a socket there may be anyone's: use a folder only its owner writes (chmod go-w)"
        }
        let owner = status.st_uid
        switch side {
        case .server(let uid):
            if owner == 0 || owner == uid { return nil }
            return "the socket's folder \(folder) belongs to uid \(owner), not to slad's user (uid \(uid)) or "
                + "root; that user could replace slad's socket: use a folder of slad's own"
        case .client(let uid):
            if owner == 0 || owner == uid { return nil }
            let above = parent(of: folder)
            if let grand = Self.status(of: above), grand.st_uid == 0, grand.st_mode & 0o022 == 0 { return nil }
            return "the socket's folder \(folder) belongs to uid \(owner), and only that user made it: "
                + "what answers there may not be slad; not connecting (--socket PATH for another socket)"
        }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func status(of path: String) -> stat? {
        var status = stat()
        return stat(path, &status) == 0 ? status : nil
    }
}
