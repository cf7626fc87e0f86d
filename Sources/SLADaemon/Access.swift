import Foundation
import SLAVarlink

/// What a client may do, decided from its peer credentials (never from anything it sends).
public enum AccessRole: Int, Sendable, Comparable {
    case none = 0
    /// Query and watch.
    case reader = 1
    /// Also submit events and reload.
    case writer = 2

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Maps a peer to its role: root and slad's own user write; members of a writer group write; members
/// of a reader group read; everybody else is denied.
public final class AccessPolicy: @unchecked Sendable {
    public let writerGroups: Set<gid_t>
    public let readerGroups: Set<gid_t>
    /// Group lists are read from the user database: cached a minute, so a busy client costs no
    /// lookups and a changed membership still takes effect soon.
    private static let cacheSeconds: TimeInterval = 60
    private let lock = NSLock()
    private var cache: [uid_t: (groups: Set<gid_t>, read: Date)] = [:]

    public init(writerGroups: Set<gid_t>, readerGroups: Set<gid_t>) {
        self.writerGroups = writerGroups
        self.readerGroups = readerGroups
    }

    /// Group ids of these names; names that do not exist are left out and returned in `missing`.
    public static func groupIDs(_ names: [String]) -> (ids: Set<gid_t>, missing: [String]) {
        var ids: Set<gid_t> = []
        var missing: [String] = []
        for name in names {
            if let group = getgrnam(name) {
                ids.insert(group.pointee.gr_gid)
            } else if let number = gid_t(name) {
                ids.insert(number)
            } else {
                missing.append(name)
            }
        }
        return (ids, missing)
    }

    public func role(of peer: PeerCredentials) -> AccessRole {
        if peer.uid == 0 || peer.uid == geteuid() { return .writer }
        // The peer's own groups when the kernel gave them: the user database would also count groups
        // a process has dropped (setpriv --clear-groups), and roles follow what the process holds.
        var groups = peer.groups.map(Set.init) ?? groups(of: peer.uid)
        groups.insert(peer.gid)
        if !groups.isDisjoint(with: writerGroups) { return .writer }
        if !groups.isDisjoint(with: readerGroups) { return .reader }
        return .none
    }

    private func groups(of uid: uid_t) -> Set<gid_t> {
        // getpwuid and its buffer are not thread-safe: the lookup runs under the lock, rarely.
        lock.withLock {
            if let cached = cache[uid], -cached.read.timeIntervalSinceNow < Self.cacheSeconds {
                return cached.groups
            }
            var groups: Set<gid_t> = []
            if let user = getpwuid(uid) {
                let name = user.pointee.pw_name
                let primary = user.pointee.pw_gid
                var count: Int32 = 64
                var list = [gid_t](repeating: 0, count: Int(count))
                if getgrouplist(name, primary, &list, &count) < 0 {
                    list = [gid_t](repeating: 0, count: Int(count))
                    _ = getgrouplist(name, primary, &list, &count)
                }
                groups = Set(list.prefix(Int(max(0, count))))
            }
            cache[uid] = (groups, Date())
            return groups
        }
    }
}
