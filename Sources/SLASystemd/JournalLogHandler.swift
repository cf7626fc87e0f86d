import Logging

/// A swift-log handler that writes structured journal entries through a ``JournalWriter``.
///
/// A value: copies made by `Logger` are independent (their level and metadata change alone), and
/// all of them share the one writer, which never blocks the caller.
///
/// Each entry has `MESSAGE`, `PRIORITY` (from the level), `SYSLOG_IDENTIFIER`, `CODE_FILE`,
/// `CODE_LINE`, `CODE_FUNC`, `LOGGER` (the label) and one field per metadata key, the key made a
/// valid field name (upper case `[A-Z0-9_]`, not starting with `_`): metadata `MESSAGE_ID` sets the
/// entry's catalog id, `late` becomes `LATE`.
public struct JournalLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let identifier: String
    private let writer: JournalWriter

    /// - Parameter identifier: `SYSLOG_IDENTIFIER`, what `journalctl -t` selects on.
    public init(
        label: String, writer: JournalWriter, identifier: String = "slad",
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.writer = writer
        self.identifier = identifier
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// syslog(3) priority of a swift-log level.
    public static func priority(of level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    public func log(event: LogEvent) {
        writer.submit(entry(for: event))
    }

    /// The entry an event becomes; separate from ``log(event:)`` so that tests can look at it.
    public func entry(for event: LogEvent) -> JournalEntry {
        var entry = JournalEntry(message: event.message.description, priority: Self.priority(of: event.level))
        entry.add("SYSLOG_IDENTIFIER", identifier)
        entry.add("LOGGER", label)
        entry.add("CODE_FILE", event.file)
        entry.add("CODE_LINE", String(event.line))
        entry.add("CODE_FUNC", event.function)
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let given = event.metadata { merged.merge(given) { _, new in new } }
        for key in merged.keys.sorted() {
            let name = JournalEntry.fieldName(key)
            // The entry's own fields are set above; metadata cannot replace them.
            guard !["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC"].contains(name)
            else { continue }
            entry.add(name, merged[key]!.description)
        }
        return entry
    }
}
