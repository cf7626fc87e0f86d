import Foundation

/// A real systemd-journald of the test's own, in a private mount namespace, so that slad's journal
/// entries land in a temporary folder and nothing reaches the machine's journal (if it has one).
///
/// `unshare -m --propagation private` runs a shell that puts a tmpfs over /run/systemd/journal (the
/// sockets), binds the folder over /run/log/journal (Storage=volatile writes there), binds a
/// journald.conf over /etc/systemd/journald.conf, binds a catalog folder and a catalog database
/// folder over /usr/lib/systemd/catalog and /var/lib/systemd/catalog, and execs journald. Processes
/// started with ``launcher`` (nsenter into that namespace) log to it. Needs root.
final class PrivateJournald {
    let directory: String
    var journalDirectory: String { directory + "/journal" }
    let process: Process

    static let script = """
        set -e
        D="$1"
        mkdir -p /run/systemd/journal /run/log/journal /var/lib/systemd/catalog /usr/lib/systemd/catalog
        mount -t tmpfs -o mode=0755 tmpfs /run/systemd/journal
        mount --bind "$D/journal" /run/log/journal
        mount --bind "$D/journald.conf" /etc/systemd/journald.conf
        mount --bind "$D/catalog" /usr/lib/systemd/catalog
        mount --bind "$D/catalog-db" /var/lib/systemd/catalog
        exec /lib/systemd/systemd-journald
        """

    /// Starts journald and waits (at most 10 s) until its socket is there.
    init() throws {
        directory = "/tmp/slad-journald-" + UUID().uuidString.prefix(8).lowercased()
        for folder in ["journal", "catalog", "catalog-db"] {
            try FileManager.default.createDirectory(
                atPath: directory + "/" + folder, withIntermediateDirectories: true)
        }
        try "[Journal]\nStorage=volatile\nReadKMsg=no\nRateLimitBurst=0\nForwardToSyslog=no\nForwardToWall=no\n"
            .write(toFile: directory + "/journald.conf", atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            atPath: packageRoot.appendingPathComponent("systemd/slad.catalog").path,
            toPath: directory + "/catalog/slad.catalog")
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = ["-m", "--propagation", "private", "/bin/sh", "-c", Self.script, "sh", directory]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // unshare and sh exec, so journald has this pid; its namespace is visible under /proc/PID/root.
        let socket = "/proc/\(process.processIdentifier)/root/run/systemd/journal/socket"
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) {
            guard process.isRunning, Date() < deadline else {
                throw DaemonTestError("systemd-journald did not start in its namespace")
            }
            usleep(10_000)
        }
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a command inside journald's mount namespace.
    var launcher: [String] { ["/usr/bin/nsenter", "-t", "\(process.processIdentifier)", "-m", "--"] }

    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// `journalctl -D DIR -o json MATCHES...`, one object per entry.
    func entries(_ matches: [String]) throws -> [[String: Any]] {
        let result = try run("/usr/bin/journalctl", ["-D", journalDirectory, "-o", "json", "--no-pager"] + matches)
        return try jsonObjects(result.stdoutLines)
    }

    /// Polls until `matches` select at least `count` entries (at most `timeout` seconds).
    func waitForEntries(_ matches: [String], count: Int = 1, timeout: TimeInterval = 20) throws -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let found = try entries(matches)
            if found.count >= count || Date() > deadline { return found }
            usleep(50_000)
        }
    }

    /// `journalctl --update-catalog` then `journalctl -x` inside the namespace, on the copied catalog.
    func explained(_ matches: [String]) throws -> String {
        let update = try run(launcher[0], Array(launcher.dropFirst()) + ["/usr/bin/journalctl", "--update-catalog"])
        guard update.status == 0 else { throw DaemonTestError("journalctl --update-catalog: \(update.stderr)") }
        return try run(
            launcher[0],
            Array(launcher.dropFirst()) + ["/usr/bin/journalctl", "-D", journalDirectory, "-x", "--no-pager"] + matches
        ).stdout
    }
}

/// A field of a `journalctl -o json` entry as text: journalctl writes values that are not printable
/// text as arrays of bytes.
func field(_ entry: [String: Any], _ name: String) -> String? {
    if let text = entry[name] as? String { return text }
    if let bytes = entry[name] as? [Int] { return String(decoding: bytes.map(UInt8.init), as: UTF8.self) }
    return nil
}

/// The service manager's end of sd_notify(3): a datagram socket slad is told of in `$NOTIFY_SOCKET`.
final class NotifySocket {
    let path: String
    private let fd: Int32
    /// Every message so far, in order.
    private(set) var messages: [String] = []

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        let status = withUnixAddress(path) { bind(fd, $0, $1) }
        guard status == 0 else { throw DaemonTestError("bind \(path): errno \(errno)") }
    }

    deinit {
        close(fd)
        unlink(path)
    }

    /// The next message, or nil after `timeout` seconds.
    func next(timeout: TimeInterval) -> String? {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(max(0, timeout) * 1000)) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let message = String(decoding: buffer.prefix(count), as: UTF8.self)
        messages.append(message)
        return message
    }

    /// Reads messages until one satisfies `predicate` (returned) or `timeout` passes (nil).
    func wait(timeout: TimeInterval = 20, for predicate: (String) -> Bool) -> String? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { return nil }
            if let message = next(timeout: remaining), predicate(message) { return message }
        }
    }
}

/// A message's `KEY=value` assignments.
func assignments(_ message: String) -> [String: String] {
    var result: [String: String] = [:]
    for line in message.split(separator: "\n") {
        guard let equals = line.firstIndex(of: "=") else { continue }
        result[String(line[..<equals])] = String(line[line.index(after: equals)...])
    }
    return result
}
