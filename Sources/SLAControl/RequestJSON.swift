import Foundation

/// A direct JSON writer for call messages made of plain Swift values.
///
/// `JSONSerialization` bridges every dictionary and array to Foundation objects, checks the whole
/// tree with `isValidJSONObject` and casts each value dynamically: for a one-event `Submit` that was
/// most of the client's time. This writer takes the values callers build (`String`, `Int`, `Bool`,
/// `[String: Any]`, `[Any]`, `[[String: Any]]`, `NSNull`) by exact type and gives nil for anything
/// else (an `NSNumber`, a `Double`, a Foundation collection), so that the caller falls back to
/// `JSONSerialization` for the whole message and its behaviour stays as it was.
enum RequestJSON {
    /// The message's bytes, or nil when a value is not one of the plain types.
    static func encode(_ value: [String: Any]) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        guard write(object: value, to: &out) else { return nil }
        return out
    }

    private static func write(_ value: Any, to out: inout [UInt8]) -> Bool {
        let type = ObjectIdentifier(Swift.type(of: value))
        if type == ObjectIdentifier(String.self) {
            write(string: value as! String, to: &out)
        } else if type == ObjectIdentifier(Int.self) {
            out.append(contentsOf: String(value as! Int).utf8)
        } else if type == ObjectIdentifier(Bool.self) {
            out.append(contentsOf: (value as! Bool) ? "true".utf8 : "false".utf8)
        } else if type == ObjectIdentifier([String: Any].self) {
            return write(object: value as! [String: Any], to: &out)
        } else if type == ObjectIdentifier([[String: Any]].self) {
            out.append(UInt8(ascii: "["))
            for (index, element) in (value as! [[String: Any]]).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(object: element, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        } else if type == ObjectIdentifier([Any].self) {
            out.append(UInt8(ascii: "["))
            for (index, element) in (value as! [Any]).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                guard write(element, to: &out) else { return false }
            }
            out.append(UInt8(ascii: "]"))
        } else if type == ObjectIdentifier([String].self) {
            out.append(UInt8(ascii: "["))
            for (index, element) in (value as! [String]).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(string: element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        } else if type == ObjectIdentifier(NSNull.self) {
            out.append(contentsOf: "null".utf8)
        } else {
            return false
        }
        return true
    }

    private static func write(object: [String: Any], to out: inout [UInt8]) -> Bool {
        out.append(UInt8(ascii: "{"))
        var first = true
        for (key, value) in object {
            if !first { out.append(UInt8(ascii: ",")) }
            first = false
            write(string: key, to: &out)
            out.append(UInt8(ascii: ":"))
            guard write(value, to: &out) else { return false }
        }
        out.append(UInt8(ascii: "}"))
        return true
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private static func write(string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
