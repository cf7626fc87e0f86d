import Foundation
import SLACore
import Yams

/// One `key: value` pair of a YAML mapping whose key is a plain name.
struct Field {
    var key: String
    var keyNode: Node
    var value: Node
}

/// The pairs of one YAML mapping, in file order, looked up by key.
struct Fields {
    var node: Node
    var entries: [Field]

    subscript(key: String) -> Field? { entries.first { $0.key == key } }
}

/// Walks a composed YAML tree and collects every mistake with its place in the file.
///
/// Readers never stop at the first mistake: each returns what it could read (nil where nothing
/// usable was found) and leaves the diagnostics here, so one run reports everything.
struct ConfigReader {
    let file: String
    /// Where time-zone names are looked up.
    let zones: ZoneDatabase
    /// Zones read during this load, by name: 100,000 calendars in one zone read its file once.
    /// Never kept beyond the load, so a reload sees an upgraded tzdata.
    var zoneCache: [String: Result<ZoneRules, ZoneLookupError>] = [:]
    private(set) var diagnostics: [ConfigDiagnostic] = []
    /// What loads but is likely unmeant; never stops the load.
    private(set) var warnings: [ConfigDiagnostic] = []

    /// The instant look-ahead warnings start from (on-call gaps); nil skips them.
    var now: Instant?

    init(file: String, zones: ZoneDatabase = .system(), now: Instant? = nil) {
        self.file = file
        self.zones = zones
        self.now = now
    }

    /// A text for a message, in quotes, with control characters written as `\u{1B}` so a hostile
    /// value cannot rewrite the terminal that shows the message.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Records a mistake at a node's start, or at 1:1 when the node has no place.
    mutating func report(_ node: Node?, _ message: String) {
        report(at: node?.mark, message)
    }

    mutating func report(at mark: Mark?, _ message: String) {
        diagnostics.append(
            ConfigDiagnostic(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, message: message)
        )
    }

    /// Records a warning at a node's start.
    mutating func warn(_ node: Node?, _ message: String) {
        warnings.append(
            ConfigDiagnostic(
                file: file, line: node?.mark?.line ?? 1, column: node?.mark?.column ?? 1, message: message,
                severity: .warning))
    }

    /// The warnings in file order.
    var warningsInFileOrder: [ConfigDiagnostic] { Self.inFileOrder(warnings) }

    /// The diagnostics sorted into file order.
    var diagnosticsInFileOrder: [ConfigDiagnostic] { Self.inFileOrder(diagnostics) }

    /// Sorted into file order; the sort is stable, so mistakes found at the same place keep the order
    /// they were found in.
    static func inFileOrder(_ diagnostics: [ConfigDiagnostic]) -> [ConfigDiagnostic] {
        diagnostics.enumerated()
            .sorted {
                ($0.element.line, $0.element.column, $0.offset) < ($1.element.line, $1.element.column, $1.offset)
            }
            .map(\.element)
    }

    // MARK: Shapes

    /// "a list", "a mapping", ... for messages saying what was found instead.
    static func shape(_ node: Node) -> String {
        switch node {
        case .scalar: return isNull(node) ? "empty" : "a single value"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// Whether the node is YAML's null: nothing written, `~` or `null`.
    static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// Reads a mapping whose keys are plain names, refusing keys outside `allowed`.
    ///
    /// - Parameters:
    ///   - what: how the message names the mapping (`calendar "office"`).
    ///   - allowed: the only keys accepted; nil accepts any name (names chosen by the admin).
    mutating func mapping(_ node: Node, _ what: String, allowed: [String]?, example: String) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(node, "\(what) must be a mapping, for example \(example); found \(Self.shape(node))")
            return nil
        }
        var entries: [Field] = []
        // Keys seen, by index into `entries`: a search of `entries` made 100,000 calendars quadratic.
        var seen: [String: Int] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !Self.isNull(keyNode) else {
                report(keyNode, "a key in \(what) must be a plain name, not \(Self.shape(keyNode))")
                continue
            }
            let key = scalar.string
            if let allowed, !allowed.contains(key) {
                report(
                    keyNode,
                    "unknown key \"\(key)\" in \(what); allowed keys are \(allowed.joined(separator: ", "))"
                )
                continue
            }
            if let earlierIndex = seen[key] {
                let earlier = entries[earlierIndex]
                report(
                    keyNode,
                    "\"\(key)\" is given twice in \(what) "
                        + "(first at line \(earlier.keyNode.mark?.line ?? 1)); give it once"
                )
                continue
            }
            seen[key] = entries.count
            entries.append(Field(key: key, keyNode: keyNode, value: value))
        }
        return Fields(node: node, entries: entries)
    }

    /// Reads a list.
    mutating func list(_ node: Node, _ what: String, example: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(node, "\(what) must be a list, for example \(example); found \(Self.shape(node))")
            return nil
        }
        return Array(sequence)
    }

    /// Reads a single non-empty text value.
    mutating func text(_ node: Node, _ what: String, example: String) -> String? {
        guard case .scalar(let scalar) = node else {
            report(node, "\(what) must be a single value, for example \(example); found \(Self.shape(node))")
            return nil
        }
        let value = scalar.string.trimmingCharacters(in: .whitespaces)
        guard !Self.isNull(node), !value.isEmpty else {
            report(node, "\(what) is empty; write a value, for example \(example)")
            return nil
        }
        return value
    }

    /// Reads a whole number written in decimal digits.
    mutating func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>, example: String) -> Int? {
        guard let text = text(node, what, example: example) else { return nil }
        guard text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(text) else {
            report(node, "\(what) must be a whole number, for example \(example); found \"\(text)\"")
            return nil
        }
        guard range.contains(value) else {
            report(node, "\(what) must be from \(range.lowerBound) to \(range.upperBound); found \(value)")
            return nil
        }
        return value
    }

    /// Reads a percentage written `90%` or `90`.
    mutating func percent(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = text(node, what, example: "90%") else { return nil }
        let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Int(digits) else {
            report(node, "\(what) \"\(text)\" is not a percentage; write a whole number of percent such as 90% or 90")
            return nil
        }
        guard range.contains(value) else {
            report(
                node,
                "\(what) \(value)% is out of range; "
                    + "write a percentage from \(range.lowerBound)% to \(range.upperBound)%"
            )
            return nil
        }
        return value
    }

    /// Reads a duration through `ServiceDuration.parse`, explaining each refusal.
    mutating func duration(_ node: Node, _ what: String) -> Int64? {
        guard let text = text(node, what, example: "4h") else { return nil }
        switch ServiceDuration.parse(text) {
        case .success(let seconds):
            return seconds
        case .failure(.days), .failure(.weeks):
            report(
                node,
                "\(what) \"\(text)\": days are not accepted: a day of service hours is ambiguous (8 hours? 24?); "
                    + "write hours, e.g. 40h for five 8-hour office days"
            )
        case .failure(.notPositive):
            report(node, "\(what) \"\(text)\" is zero; a target must be longer than zero, for example 15m")
        case .failure(.tooLong):
            report(node, "\(what) \"\(text)\" is longer than ten years of service time (87600h), the longest target slad keeps")
        case .failure(.empty), .failure(.malformed):
            report(
                node,
                "\(what) \"\(text)\" is not a duration; write hours, minutes and seconds in that order, "
                    + "each with its unit, for example 45s, 15m, 4h or 1h30m"
            )
        }
        return nil
    }

    /// Reads a list of non-empty texts; a single text is accepted as a list of one when `scalarAllowed`.
    mutating func texts(_ node: Node, _ what: String, example: String, scalarAllowed: Bool = false) -> [String]? {
        if scalarAllowed, case .scalar = node, !Self.isNull(node) {
            return text(node, what, example: example).map { [$0] }
        }
        guard let items = list(node, what, example: example) else { return nil }
        var values: [String] = []
        for item in items {
            if let value = text(item, "an entry of \(what)", example: example) { values.append(value) }
        }
        return values
    }
}

/// A name list for messages: `office, always`, or `none` when empty.
func nameList(_ names: [String]) -> String {
    names.isEmpty ? "none" : names.joined(separator: ", ")
}
