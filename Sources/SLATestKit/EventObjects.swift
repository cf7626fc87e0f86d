import SLAJSON
import SLAWire

extension EventFormat {
    /// Decodes an event written in a test as a Swift dictionary (`["ticket": id, "event": "open"]`),
    /// its values strings, booleans, integers, doubles, arrays and dictionaries of these: they become
    /// the `JSONValue`s the wire would carry, and the one decoder reads them.
    public static func decode(object: [String: Any]) -> Result<TimedEvent, EventDecodingError> {
        decode(object: object.mapValues(jsonValue))
    }
}

/// The JSON value a test's Swift value stands for.
private func jsonValue(_ value: Any) -> JSONValue {
    switch value {
    case let json as JSONValue: json
    case let text as String: .string(text)
    case let flag as Bool: .bool(flag)
    case let number as Int: .int(Int64(number))
    case let number as Double: .double(number)
    case let elements as [Any]: .array(elements.map(jsonValue))
    case let members as [String: Any]: .object(members.mapValues(jsonValue))
    default: preconditionFailure("a test event holds \(type(of: value)), which JSON has no value for")
    }
}
