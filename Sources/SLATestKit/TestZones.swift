import Foundation
import SLAConfig
import SLACore

/// Zone rules for tests: the system's tzdata, zones compiled by the real `zic`, and `zdump`'s view.
public enum TestZones {
    /// The rules of a zone of the system's tzdata (`/usr/share/zoneinfo`), as slad reads them.
    public static func system(_ name: String) -> ZoneRules {
        switch ZoneDatabase(directory: ZoneDatabase.defaultDirectory).rules(named: name) {
        case .success(let rules): return rules
        case .failure(let error): fatalError("the system's tzdata: \(error)")
        }
    }

    /// Compiles zic source text into `directory` (a TZDIR), with zic's other options such as
    /// `["-b", "slim"]`; throws zic's complaint when it refuses the text.
    public static func compile(_ source: String, into directory: String, options: [String] = []) throws {
        let file = directory + "/source-\(UUID().uuidString).zi"
        // zic refuses a last line without its newline ("line too long").
        try (source.hasSuffix("\n") ? source : source + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let output = try run(zic, ["-d", directory] + options + [file])
        guard output.status == 0 else { throw ToolError(tool: "zic", output: output.text) }
    }

    /// Each change of offset `zdump -v` reports for the zone between the years (`-c first,last`, the
    /// last not included), with the offset in force at the start of the range.
    public static func zdump(
        _ name: String, tzdir: String? = nil, from first: Int, to last: Int
    ) throws -> (initialOffset: Int32, changes: [(at: Int64, offset: Int32)]) {
        var environment = ProcessInfo.processInfo.environment
        if let tzdir { environment["TZDIR"] = tzdir }
        let output = try run(zdumpPath, ["-v", "-c", "\(first),\(last)", name], environment: environment)
        guard output.status == 0 else { throw ToolError(tool: "zdump", output: output.text) }
        var lines: [(at: Int64, offset: Int32)] = []
        for line in output.text.split(separator: "\n") {
            // "Europe/Berlin  Sun Mar 31 00:59:59 2024 UT = Sun Mar 31 01:59:59 2024 CET isdst=0 gmtoff=3600"
            guard let ut = line.range(of: " UT = "), let gmtoff = line.range(of: "gmtoff="),
                let offset = Int32(line[gmtoff.upperBound...].prefix { $0 == "-" || $0.isNumber })
            else { continue }
            let words = line[..<ut.lowerBound].split(separator: " ").suffix(5).map(String.init)
            guard let at = utSeconds(words) else { throw ToolError(tool: "zdump", output: String(line)) }
            lines.append((at, offset))
        }
        // zdump prints each transition as its last second before and its first second after.
        var changes: [(at: Int64, offset: Int32)] = []
        var initial = lines.first?.offset ?? 0
        for (index, line) in lines.enumerated() {
            if index == 0 {
                initial = line.offset
                continue
            }
            let previous = changes.last?.offset ?? initial
            if line.offset != previous { changes.append(line) }
        }
        return (initial, changes)
    }

    /// `Sun Mar 31 00:59:59 2024` (zdump's UT column) as seconds since 1970.
    private static func utSeconds(_ words: [String]) -> Int64? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard words.count == 5, let month = months.firstIndex(of: words[1]), let day = Int64(words[2]),
            let year = Int64(words[4])
        else { return nil }
        let clock = words[3].split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3 else { return nil }
        let days = CivilDate.days(year: year, month: Int64(month + 1), day: day)
        return days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    static let zic = ["/usr/sbin/zic", "/usr/bin/zic", "/sbin/zic"].first { FileManager.default.fileExists(atPath: $0) }
        ?? "zic"
    static let zdumpPath = ["/usr/bin/zdump", "/usr/sbin/zdump"].first { FileManager.default.fileExists(atPath: $0) }
        ?? "zdump"

    private static func run(
        _ tool: String, _ arguments: [String], environment: [String: String]? = nil
    ) throws -> (status: Int32, text: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        if let environment { process.environment = environment }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// A tool that refused its input, with what it printed.
    public struct ToolError: Error, CustomStringConvertible {
        public var tool: String
        public var output: String
        public var description: String { "\(tool): \(output)" }
    }
}
