import Foundation
import SLACore

/// The system's time-zone database: the compiled TZif files of tzdata in `$TZDIR`, else
/// `/usr/share/zoneinfo`, which the distribution keeps current.
///
/// Nothing here is cached: every configuration load (start, check-config, SIGHUP, `Reload`) reads the
/// files again, so a tzdata upgrade takes effect with a reload, without a restart.
public struct ZoneDatabase: Sendable, Equatable {
    /// The folder holding the compiled zones (`Europe/Berlin` is a file below it).
    public var directory: String

    /// The folder used when `$TZDIR` is not set, as in glibc.
    public static let defaultDirectory = "/usr/share/zoneinfo"

    /// The largest zone file read; real ones are under 4 KiB (`-b fat` under 8 KiB).
    static let fileLimit = 1 << 20

    public init(directory: String) {
        self.directory = directory
    }

    /// The database glibc's `localtime` and `zdump` use: `$TZDIR` when set and not empty, else
    /// ``defaultDirectory``.
    public static func system(environment: [String: String] = ProcessInfo.processInfo.environment) -> ZoneDatabase {
        if let tzdir = environment["TZDIR"], !tzdir.isEmpty { return ZoneDatabase(directory: tzdir) }
        return ZoneDatabase(directory: defaultDirectory)
    }

    /// The rules of the zone named `name` (an IANA name such as `Europe/Berlin`), read from its file.
    ///
    /// The one way slad turns a zone name into rules, for calendars and anything else the
    /// configuration names a zone for. `UTC` needs no file.
    public func rules(named name: String) -> Result<ZoneRules, ZoneLookupError> {
        if let problem = Self.nameProblem(name) {
            return .failure(ZoneLookupError(name: name, path: nil, reason: problem))
        }
        if name == "UTC" { return .success(.utc) }
        let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        func failure(_ reason: String) -> Result<ZoneRules, ZoneLookupError> {
            .failure(ZoneLookupError(name: name, path: path, reason: reason))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return failure("there is no such zone file")
        }
        guard !isDirectory.boolValue else { return failure("it is a folder of zones, not a zone") }
        guard let handle = FileHandle(forReadingAtPath: path) else { return failure("the zone file cannot be read") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: Self.fileLimit + 1) ?? Data()
        } catch {
            return failure("the zone file cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= Self.fileLimit else { return failure("the file is larger than a zone file can be") }
        do {
            return .success(try ZoneRules(name: name, tzif: [UInt8](data)))
        } catch {
            return failure("it is not a usable zone file: \(error.reason)")
        }
    }

    /// The tzdata release the files come from (`2026f`): the first line of `+VERSION`, else the
    /// `# version` line that starts `tzdata.zi`; nil when the folder says neither.
    public func version() -> String? {
        func read(_ file: String) -> String? {
            guard let handle = FileHandle(forReadingAtPath: directory + "/" + file) else { return nil }
            defer { try? handle.close() }
            // Only the first line matters; tzdata.zi is over 100 KiB.
            guard let data = try? handle.read(upToCount: 256) else { return nil }
            return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .first.map(String.init)
        }
        func plain(_ text: String) -> String? {
            let version = text.trimmingCharacters(in: .whitespaces)
            guard !version.isEmpty, version.count <= 32,
                version.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
            else { return nil }
            return version
        }
        if let line = read("+VERSION"), let version = plain(line) { return version }
        if let line = read("tzdata.zi"), line.hasPrefix("# version ") {
            return plain(String(line.dropFirst("# version ".count)))
        }
        return nil
    }

    /// Why `name` cannot name a zone file, or nil: an IANA name is parts of letters, digits, `.`, `_`,
    /// `+` and `-` joined by `/`, never a path out of the folder.
    static func nameProblem(_ name: String) -> String? {
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "it holds a control character"
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-".unicodeScalars)
        guard name.utf8.count <= 255, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
            name.unicodeScalars.allSatisfy({ allowed.contains($0) || $0 == "/" })
        else {
            return "it is not an IANA zone name"
        }
        return nil
    }
}

/// A zone name that gives no rules: the name, the file tried and why.
public struct ZoneLookupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name as configured.
    public var name: String
    /// The file that was tried; nil when the name itself was refused.
    public var path: String?
    /// A sentence: what is wrong.
    public var reason: String

    public var description: String {
        if let path { return "time zone \"\(name)\": \(path): \(reason)" }
        return "time zone \"\(name)\": \(reason)"
    }
}
