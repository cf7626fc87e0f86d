/// One configuration mistake, at its place in the file.
public struct ConfigDiagnostic: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the caller named it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars.
    public var column: Int
    /// A sentence saying what is wrong and what to write instead.
    public var message: String
    /// An error refuses the file; a warning is printed and loads (unless `--strict`).
    public var severity: Severity

    /// Whether a diagnostic refuses the file.
    public enum Severity: Sendable, Equatable {
        case error
        case warning
    }

    public init(file: String, line: Int, column: Int, message: String, severity: Severity = .error) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.severity = severity
    }

    /// `file:line:column: message`, for a warning `file:line:column: warning: message`.
    public var description: String {
        "\(file):\(line):\(column): " + (severity == .warning ? "warning: " : "") + message
    }
}

/// Every mistake found in one file, in file order.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]

    public init(diagnostics: [ConfigDiagnostic]) {
        self.diagnostics = diagnostics
    }

    /// One diagnostic a line.
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
