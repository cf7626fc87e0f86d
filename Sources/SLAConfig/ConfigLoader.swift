import Foundation
import SLACore
import Yams

/// A configuration as checked: the configuration or its errors, and the warnings, which stop nothing
/// unless asked (`slad check-config --strict`).
public struct ConfigCheck: Sendable {
    public var result: Result<Configuration, ConfigErrors>
    /// Things that are allowed but likely unmeant, in file order; their `severity` is `.warning`.
    public var warnings: [ConfigDiagnostic]

    public init(result: Result<Configuration, ConfigErrors>, warnings: [ConfigDiagnostic]) {
        self.result = result
        self.warnings = warnings
    }

    /// The result with every warning as an error: what `--strict` refuses.
    public var strict: Result<Configuration, ConfigErrors> {
        guard !warnings.isEmpty else { return result }
        var all = warnings.map { warning in
            var error = warning
            error.severity = .error
            return error
        }
        if case .failure(let errors) = result { all += errors.diagnostics }
        return .failure(ConfigErrors(diagnostics: ConfigReader.inFileOrder(all)))
    }
}

/// Reads slad's YAML configuration into a validated `Configuration`, reporting every mistake at once.
public enum ConfigLoader {
    static let sections = [
        "calendars", "priorities", "agreements", "lines", "escalation", "http", "retention", "people", "teams",
        "notifications",
    ]

    /// Reads and validates the file; an unreadable file is one diagnostic at 1:1.
    ///
    /// - Parameter zones: where time-zone names are looked up; read anew on every call.
    public static func load(path: String, zones: ZoneDatabase = .system()) -> Result<Configuration, ConfigErrors> {
        readText(path: path).flatMap { parse(yaml: $0, file: path, zones: zones) }
    }

    /// The largest configuration file read: far beyond any real one (the example is 6 KiB; ten years
    /// of holidays for 1,000 calendars is about 1 MiB), and small enough that loading it stays quick.
    public static let fileLimit = 4 << 20

    /// The file's text, checked to be a readable file of UTF-8 text of at most ``fileLimit`` bytes;
    /// else one diagnostic at 1:1.
    public static func readText(path: String) -> Result<String, ConfigErrors> {
        func failure(_ message: String) -> Result<String, ConfigErrors> {
            .failure(ConfigErrors(diagnostics: [ConfigDiagnostic(file: path, line: 1, column: 1, message: message)]))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return failure("the configuration file does not exist; check the path")
        }
        guard !isDirectory.boolValue else {
            return failure("this is a directory, not a configuration file; name the YAML file itself")
        }
        // The size is checked on what is read, before any parsing: a file can grow after a stat.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            return failure("the configuration file cannot be read; check that slad's user may read it")
        }
        defer { try? handle.close() }
        guard let read = try? handle.read(upToCount: fileLimit + 1) else {
            return failure("the configuration file cannot be read; check that slad's user may read it")
        }
        let data = read ?? Data()
        guard data.count <= fileLimit else {
            return failure(
                "the configuration file is larger than 4 MiB, the most slad reads; split out what is not "
                    + "configuration, or shorten long holiday lists")
        }
        guard let yaml = String(data: data, encoding: .utf8) else {
            return failure("the configuration file is not UTF-8 text; save it as UTF-8")
        }
        return .success(yaml)
    }

    /// Parses and validates YAML text; `file` names it in the diagnostics.
    ///
    /// - Parameter zones: where time-zone names are looked up; read anew on every call.
    public static func parse(
        yaml: String, file: String, zones: ZoneDatabase = .system()
    ) -> Result<Configuration, ConfigErrors> {
        check(yaml: yaml, file: file, zones: zones).result
    }

    /// Reads and validates the file like ``load(path:zones:)``, keeping the warnings too; with `now`,
    /// also those looking ahead from it (nobody on call somewhere in the next 28 days).
    public static func check(path: String, zones: ZoneDatabase = .system(), now: Instant? = nil) -> ConfigCheck {
        switch readText(path: path) {
        case .success(let text): return check(yaml: text, file: path, zones: zones, now: now)
        case .failure(let errors): return ConfigCheck(result: .failure(errors), warnings: [])
        }
    }

    /// Parses and validates YAML text like ``parse(yaml:file:zones:)``, keeping the warnings too.
    public static func check(
        yaml: String, file: String, zones: ZoneDatabase = .system(), now: Instant? = nil
    ) -> ConfigCheck {
        var reader = ConfigReader(file: file, zones: zones, now: now)
        let result = read(yaml: yaml, file: file, reader: &reader)
        return ConfigCheck(result: result, warnings: reader.warningsInFileOrder)
    }

    private static func read(
        yaml: String, file: String, reader: inout ConfigReader
    ) -> Result<Configuration, ConfigErrors> {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            return .failure(ConfigErrors(diagnostics: [syntaxDiagnostic(error, file: file)]))
        }
        guard let root, !ConfigReader.isNull(root) else {
            reader.report(
                nil,
                "the configuration is empty; it must define calendars, priorities, agreements and lines "
                    + "(see the commented example config/slad.yaml)"
            )
            return .failure(ConfigErrors(diagnostics: reader.diagnostics))
        }
        let configuration = reader.readConfiguration(root)
        let diagnostics = reader.diagnosticsInFileOrder
        if let configuration, diagnostics.isEmpty { return .success(configuration) }
        if diagnostics.isEmpty {
            // Unreachable by construction: every part left unread has reported why.
            return .failure(
                ConfigErrors(diagnostics: [
                    ConfigDiagnostic(file: file, line: 1, column: 1, message: "the configuration is incomplete")
                ]))
        }
        return .failure(ConfigErrors(diagnostics: diagnostics))
    }

    /// One line: "config/slad.yaml: 2 calendars, 4 priorities, 5 agreements (1 sla, 3 ola, 1 uc), 4 lines,
    /// 3 hierarchical rules"
    public static func summary(of configuration: Configuration, file: String) -> String {
        func count(_ n: Int, _ one: String, _ many: String) -> String { "\(n) \(n == 1 ? one : many)" }
        let kinds = AgreementKind.allCases.map { kind in
            "\(configuration.agreements.filter { $0.kind == kind }.count) \(kind.rawValue)"
        }
        return "\(file): "
            + [
                count(configuration.calendars.count, "calendar", "calendars"),
                count(configuration.priorities.levels.count, "priority", "priorities"),
                count(configuration.agreements.count, "agreement", "agreements")
                    + " (\(kinds.joined(separator: ", ")))",
                count(configuration.lines.count, "line", "lines"),
                count(configuration.hierarchicalRules.count, "hierarchical rule", "hierarchical rules"),
            ].joined(separator: ", ")
    }

    /// Diagnostics sorted into file order (stable).
    public static func inFileOrder(_ diagnostics: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
        ConfigReader.inFileOrder(diagnostics)
    }

    /// Where the time-zone rules came from: "time zones: tzdata 2026f from /usr/share/zoneinfo".
    public static func zoneSummary(of configuration: Configuration, zones: ZoneDatabase) -> String {
        "time zones: tzdata \(configuration.tzdataVersion ?? "of unknown version") from \(zones.directory)"
    }

    /// A YAML syntax error as one diagnostic at the place libyaml stopped.
    static func syntaxDiagnostic(_ error: Error, file: String) -> ConfigDiagnostic {
        let hint =
            "check the indentation, and quote values that contain \": \", \"#\" or start with \"*\", \"&\" or \"!\""
        var mark: (line: Int, column: Int)?
        var message: String
        switch error as? YamlError {
        case .scanner(let context, let problem, let problemMark, _),
            .parser(let context, let problem, let problemMark, _),
            .composer(let context, let problem, let problemMark, _):
            mark = (problemMark.line, problemMark.column)
            message = "this is not valid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            message += "; \(hint)"
        case .reader(let problem, let offset, _, let yaml):
            if let offset {
                let prefix = yaml.prefix(offset)
                let line = prefix.filter { $0 == "\n" }.count + 1
                let column =
                    (prefix.lastIndex(of: "\n").map { prefix[prefix.index(after: $0)...] } ?? prefix)
                    .unicodeScalars.count + 1
                mark = (line, column)
            }
            message = "the file cannot be read as YAML text: \(problem); save it as UTF-8 text"
        case .duplicatedKeysInMapping(let duplicates, let context):
            mark = (context.mark.line, context.mark.column)
            let keys = duplicates.map { "\"\($0)\"" }.joined(separator: ", ")
            message = "the key \(keys) is given twice in one mapping; give each key once"
        case .some(let other):
            message = "this is not valid YAML: \(other)"
        case nil:
            message = "this is not valid YAML: \(error)"
        }
        return ConfigDiagnostic(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
    }
}

extension ConfigReader {
    /// Reads the whole document; nil when any part could not be built (its mistakes are reported).
    mutating func readConfiguration(_ root: Node) -> Configuration? {
        guard
            let fields = mapping(
                root, "the configuration", allowed: ConfigLoader.sections, example: "calendars: ..., priorities: ..."
            )
        else { return nil }
        for required in ["calendars", "priorities", "agreements", "lines"] where fields[required] == nil {
            report(
                root,
                "the configuration has no \(required) section; add it (see the commented example config/slad.yaml)")
        }
        let calendars = fields["calendars"].map { readCalendars($0.value) } ?? CalendarTable()
        let priorities = fields["priorities"].map { readPriorities($0.value) } ?? PriorityTable()
        let agreementDrafts = fields["agreements"].flatMap {
            readAgreements($0.value, calendars: calendars, priorities: priorities)
        }
        let agreements = agreementDrafts ?? []
        let people = fields["people"].map { readPeople($0.value) } ?? PeopleTable()
        let teams = fields["teams"].map { readTeams($0.value, people: people) } ?? TeamTable()
        let lines = fields["lines"].map { readLines($0.value, agreements: agreementDrafts, teams: teams) } ?? []
        let rules = fields["escalation"].map { readEscalation($0.value, teams: teams, people: people) } ?? []
        if let http = fields["http"] { _ = readHTTP(http.value) }  // for the daemon: see ConfigLoader.httpSettings
        let retention = fields["retention"].map { readRetention($0.value) } ?? Retention()
        let notifications = readNotifications(
            fields["notifications"]?.value, people: fields["people"]?.value, teams: teams, peopleTable: people,
            priorities: priorities)
        checkLinesFit(agreements: agreements, lines: lines, priorities: priorities)
        if let now { warnGaps(teams, now: now) }

        let built = agreements.compactMap(\.agreement)
        let supportLines = lines.compactMap { $0 }
        guard diagnostics.isEmpty, built.count == agreements.count, supportLines.count == 4 else { return nil }
        var configuration = Configuration(
            calendars: calendars.calendars,
            priorities: PriorityScheme(levels: priorities.levels, matrix: priorities.matrix),
            agreements: built,
            lines: supportLines,
            hierarchicalRules: rules,
            retention: retention,
            tzdataVersion: zones.version(),
            people: people.people,
            teams: teams.teams
        )
        configuration.notifications = notifications
        return configuration
    }
}
