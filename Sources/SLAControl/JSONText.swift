import Foundation

/// JSON as slactl prints it: one line, keys sorted, slashes not escaped.
public enum JSONText {
    /// One line of JSON for a reply's parameters or a record; `{}` for what `JSONSerialization` cannot encode.
    public static func line(_ value: Any) -> String {
        guard JSONSerialization.isValidJSONObject(value),
            let data = try? JSONSerialization.data(
                withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Typed reads of values parsed by `JSONSerialization`, which gives numbers as `Int`, `Double` or
/// `NSNumber` and booleans as `Bool` or `NSNumber` depending on the platform.
public enum JSONFields {
    /// The string at `key`, nil when absent, null or not a string.
    public static func string(_ object: [String: Any], _ key: String) -> String? {
        object[key] as? String
    }

    /// The whole number at `key`, nil when absent, null, fractional or a boolean.
    public static func int(_ object: [String: Any], _ key: String) -> Int? {
        integer(object[key])
    }

    /// The boolean at `key`, nil when absent, null or not a boolean.
    public static func bool(_ object: [String: Any], _ key: String) -> Bool? {
        guard let value = object[key] else { return nil }
        if let number = value as? NSNumber { return isBoolean(number) ? number.boolValue : nil }
        return value as? Bool
    }

    /// The array of objects at `key`; elements that are not objects are left out.
    public static func objects(_ object: [String: Any], _ key: String) -> [[String: Any]] {
        (object[key] as? [Any] ?? []).compactMap { $0 as? [String: Any] }
    }

    /// The object at `key`.
    public static func object(_ object: [String: Any], _ key: String) -> [String: Any]? {
        object[key] as? [String: Any]
    }

    static func integer(_ value: Any?) -> Int? {
        guard let value, !(value is NSNull) else { return nil }
        if let number = value as? NSNumber {
            if isBoolean(number) { return nil }
            let type = String(cString: number.objCType)
            return type == "d" || type == "f" ? Int(exactly: number.doubleValue) : number.intValue
        }
        if let int = value as? Int { return int }
        if let double = value as? Double { return Int(exactly: double) }
        return nil
    }

    /// JSON `true` and `false` parse to a boolean `NSNumber` (objCType `c`); `1 as Any is Bool` is true as
    /// well on Linux, so `is Bool` cannot tell them apart.
    static func isBoolean(_ number: NSNumber) -> Bool {
        #if canImport(Darwin)
            return CFGetTypeID(number) == CFBooleanGetTypeID()
        #else
            return String(cString: number.objCType) == "c"
        #endif
    }
}
