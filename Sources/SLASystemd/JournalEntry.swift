/// One structured journal entry: fields in order, each `NAME=value`.
///
/// Names are made valid as they are added (see ``JournalEntry/fieldName(_:)``); values are bytes and
/// may hold newlines or anything else: `sd_journal_sendv` sends them in the native protocol's binary
/// form when they need it.
public struct JournalEntry: Sendable, Equatable {
    public private(set) var fields: [(name: String, value: [UInt8])]

    public init() { fields = [] }

    /// An entry with `MESSAGE` and `PRIORITY` (syslog levels: 0 emerg ... 7 debug).
    public init(message: String, priority: Int) {
        fields = []
        add("MESSAGE", message)
        add("PRIORITY", String(min(7, max(0, priority))))
    }

    /// Adds a field; the name is sanitised, so a logger's metadata key can go in as it is.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((Self.fieldName(name), Array(value.utf8)))
    }

    /// Adds a field with a binary value.
    public mutating func add(_ name: String, bytes: [UInt8]) {
        fields.append((Self.fieldName(name), bytes))
    }

    /// The value of the first field with this name, as text.
    public func value(of name: String) -> String? {
        fields.first { $0.name == name }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// A valid journal field name for `key`: upper-case `[A-Z0-9_]`, not starting with `_` (those are
    /// journald's trusted fields) nor with a digit, at most 64 characters. Lower case becomes upper
    /// case, anything else `_`; leading underscores are dropped; an empty or digit-led result gets
    /// the prefix `F_`.
    public static func fieldName(_ key: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(key.utf8.count)
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): bytes.append(byte)
            case UInt8(ascii: "a")...UInt8(ascii: "z"): bytes.append(byte - 32)
            default: bytes.append(UInt8(ascii: "_"))
            }
        }
        while bytes.first == UInt8(ascii: "_") { bytes.removeFirst() }
        if bytes.isEmpty || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[0]) {
            bytes.insert(contentsOf: Array("F_".utf8), at: 0)
        }
        return String(decoding: bytes.prefix(64), as: UTF8.self)
    }

    public static func == (lhs: JournalEntry, rhs: JournalEntry) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }
}
