#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What Prometheus' process collector reports, read from `/proc` (swift-prometheus 2.x has no such
/// collector). Linux only: elsewhere each reading is nil and the metric is left out.
public struct ProcessSample: Sendable, Equatable {
    public var residentMemoryBytes: Double
    public var cpuSeconds: Double
    public var startTimeSeconds: Double
    public var openFileDescriptors: Int

    /// Reads this process's figures; nil when `/proc` cannot be read.
    public static func current() -> ProcessSample? {
        read(stat: readFile("/proc/self/stat"), systemStat: readFile("/proc/stat"), openFileDescriptors: countOpenFiles())
    }

    /// The sample from the text of `/proc/self/stat` and `/proc/stat` (proc(5)).
    static func read(stat: String?, systemStat: String?, openFileDescriptors: Int?) -> ProcessSample? {
        // The command name (field 2) is in parentheses and may hold spaces or parentheses itself:
        // the fields that follow start after the last ")".
        guard let stat, let close = stat.lastIndex(of: ")"), let systemStat, let openFileDescriptors else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state): field n is fields[n - 3].
        func field(_ n: Int) -> Double? { n - 3 < fields.count ? Double(fields[n - 3]) : nil }
        guard let utime = field(14), let stime = field(15), let started = field(22), let rss = field(24) else {
            return nil
        }
        guard
            let bootLine = systemStat.split(separator: "\n").first(where: { $0.hasPrefix("btime ") }),
            let boot = Double(bootLine.dropFirst(6))
        else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        guard ticks > 0, page > 0 else { return nil }
        return ProcessSample(
            residentMemoryBytes: rss * page, cpuSeconds: (utime + stime) / ticks,
            startTimeSeconds: boot + started / ticks, openFileDescriptors: openFileDescriptors)
    }

    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Entries of `/proc/self/fd`, without the one the listing itself holds open.
    static func countOpenFiles() -> Int? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in name[0] == UInt8(ascii: ".") }
            if !isDot { count += 1 }
        }
        return max(0, count - 1)
    }
}
