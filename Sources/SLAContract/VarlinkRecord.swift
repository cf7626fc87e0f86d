import SLAJSON

/// One field of a Varlink record as the interface description declares it: `due: ?string`.
public struct VarlinkField: Equatable, Sendable, CustomStringConvertible {
    /// The member name on the wire.
    public var name: String
    /// The Varlink type as the description writes it: `string`, `?int`, `[]Clock`, `object`, `?Filter`.
    public var type: String

    /// A field named `name` of Varlink type `type`.
    public init(_ name: String, _ type: String) {
        self.name = name
        self.type = type
    }

    /// Whether the field may be left out (or sent as null): its type starts with `?`.
    public var isOptional: Bool { type.hasPrefix("?") }

    public var description: String { "\(name): \(type)" }
}

/// A record of the `io.slad.Sla` interface: a `type`, a method's parameters or reply, an error's parameters.
///
/// Each conforming type lists its ``fields`` as the `.varlink` text declares them; a test parses that
/// text and compares, and checks that ``json`` writes exactly those members. To add a field: add it to
/// the `.varlink` text in ``SlaInterface/description``, to the struct (optional fields as optionals),
/// to ``fields``, to `init(json:)` and to ``json``.
public protocol VarlinkRecord: Sendable, Equatable {
    /// The fields in the order the interface description declares them.
    static var fields: [VarlinkField] { get }
    /// Reads the record from a JSON object. Members it does not know are ignored: a newer peer may send
    /// more, and Varlink's optional fields exist so that it can. Null counts as absent.
    init(json: [String: JSONValue]) throws(ContractError)
    /// The JSON object; optional fields that are nil are left out.
    var json: [String: JSONValue] { get }
}

extension VarlinkRecord {
    /// Reads the record from a JSON value that must be an object.
    public init(value: JSONValue, field: String = "") throws(ContractError) {
        guard case .object(let members) = value else { throw ContractError(field: field, "is not an object") }
        try self.init(json: members)
    }

    /// The record as a JSON object value.
    public var value: JSONValue { .object(json) }
}

/// A JSON object that does not fit the interface: `field` is the member's path (`filter.within`,
/// `ticket.clocks[2].state`), empty for the object itself.
public struct ContractError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path of the member at fault.
    public var field: String
    /// What is wrong with it, in a few words.
    public var reason: String

    /// An error for the member at `field`.
    public init(field: String, _ reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "\(field) \(reason)" }
}

/// Typed reads of a JSON object's members, each error naming the member's path.
public struct FieldReader {
    /// The object's members.
    public let members: [String: JSONValue]
    /// The path of the object itself, empty at the top.
    public let path: String

    /// Reads `members`, the object at `path`.
    public init(_ members: [String: JSONValue], path: String = "") {
        self.members = members
        self.path = path
    }

    /// The path of member `key`.
    public func path(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The member's value; nil when absent or null.
    public func optional(_ key: String) -> JSONValue? {
        guard let value = members[key], value != .null else { return nil }
        return value
    }

    private func required(_ key: String) throws(ContractError) -> JSONValue {
        guard let value = optional(key) else { throw ContractError(field: path(key), "is missing") }
        return value
    }

    /// Refuses members not among `fields`: for requests, where a typo must not pass unseen.
    public func refuseUnknown(_ fields: [VarlinkField]) throws(ContractError) {
        let known = Set(fields.map(\.name))
        for key in members.keys.sorted() where !known.contains(key) {
            throw ContractError(field: path(key), "is not a field of this record")
        }
    }

    public func string(_ key: String) throws(ContractError) -> String {
        try Self.string(try required(key), path(key))
    }

    public func optionalString(_ key: String) throws(ContractError) -> String? {
        guard let value = optional(key) else { return nil }
        return try Self.string(value, path(key))
    }

    public func int(_ key: String) throws(ContractError) -> Int {
        try Self.int(try required(key), path(key))
    }

    public func optionalInt(_ key: String) throws(ContractError) -> Int? {
        guard let value = optional(key) else { return nil }
        return try Self.int(value, path(key))
    }

    public func bool(_ key: String) throws(ContractError) -> Bool {
        guard case .bool(let flag) = try required(key) else { throw ContractError(field: path(key), "is not a boolean") }
        return flag
    }

    public func optionalBool(_ key: String) throws(ContractError) -> Bool? {
        guard let value = optional(key) else { return nil }
        guard case .bool(let flag) = value else { throw ContractError(field: path(key), "is not a boolean") }
        return flag
    }

    /// A Varlink `float`: any JSON number.
    public func double(_ key: String) throws(ContractError) -> Double {
        guard let number = try required(key).double else { throw ContractError(field: path(key), "is not a number") }
        return number
    }

    public func strings(_ key: String) throws(ContractError) -> [String] {
        let elements = try array(key)
        var strings: [String] = []
        strings.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            strings.append(try Self.string(element, "\(path(key))[\(index)]"))
        }
        return strings
    }

    /// A Varlink `object`: any JSON object, kept as it came.
    public func object(_ key: String) throws(ContractError) -> JSONValue {
        let value = try required(key)
        guard case .object = value else { throw ContractError(field: path(key), "is not an object") }
        return value
    }

    /// A Varlink `[]object`.
    public func objects(_ key: String) throws(ContractError) -> [JSONValue] {
        let elements = try array(key)
        for (index, element) in elements.enumerated() {
            guard case .object = element else { throw ContractError(field: "\(path(key))[\(index)]", "is not an object") }
        }
        return elements
    }

    public func record<Record: VarlinkRecord>(_ key: String, as type: Record.Type = Record.self) throws(ContractError)
        -> Record
    {
        try Record(value: try required(key), field: path(key))
    }

    public func optionalRecord<Record: VarlinkRecord>(_ key: String, as type: Record.Type = Record.self)
        throws(ContractError) -> Record?
    {
        guard let value = optional(key) else { return nil }
        return try Record(value: value, field: path(key))
    }

    public func records<Record: VarlinkRecord>(_ key: String, as type: Record.Type = Record.self)
        throws(ContractError) -> [Record]
    {
        let elements = try array(key)
        var records: [Record] = []
        records.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            records.append(try Record(value: element, field: "\(path(key))[\(index)]"))
        }
        return records
    }

    private func array(_ key: String) throws(ContractError) -> [JSONValue] {
        guard case .array(let elements) = try required(key) else {
            throw ContractError(field: path(key), "is not an array")
        }
        return elements
    }

    private static func string(_ value: JSONValue, _ path: String) throws(ContractError) -> String {
        guard case .string(let text) = value else { throw ContractError(field: path, "is not a string") }
        return text
    }

    private static func int(_ value: JSONValue, _ path: String) throws(ContractError) -> Int {
        guard case .int(let number) = value, let int = Int(exactly: number) else {
            throw ContractError(field: path, "is not a whole number")
        }
        return int
    }
}

/// Builds a record's JSON object, leaving out optional fields that are nil.
public struct FieldWriter {
    /// The members so far.
    public private(set) var members: [String: JSONValue] = [:]

    public init() {}

    public mutating func set(_ key: String, _ value: String?) {
        if let value { members[key] = .string(value) }
    }

    public mutating func set(_ key: String, _ value: Int?) {
        if let value { members[key] = .int(Int64(value)) }
    }

    public mutating func set(_ key: String, _ value: Bool?) {
        if let value { members[key] = .bool(value) }
    }

    public mutating func set(_ key: String, _ value: Double?) {
        if let value { members[key] = .double(value) }
    }

    public mutating func set(_ key: String, _ value: JSONValue?) {
        if let value { members[key] = value }
    }

    public mutating func set(_ key: String, _ value: [String]) {
        members[key] = .array(value.map(JSONValue.string))
    }

    public mutating func set(_ key: String, _ value: [JSONValue]) {
        members[key] = .array(value)
    }

    public mutating func set(_ key: String, _ value: (some VarlinkRecord)?) {
        if let value { members[key] = value.value }
    }

    public mutating func set(_ key: String, _ value: [some VarlinkRecord]) {
        members[key] = .array(value.map(\.value))
    }
}
