import Foundation
import Testing

@testable import SLAControl

@Suite struct RequestJSONTests {
    private func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test func plainValuesAreWrittenDirectlyAndReadBackAsJSONSerializationWouldWriteThem() throws {
        let message: [String: Any] = [
            "method": "io.slad.Sla.Submit",
            "more": true,
            "parameters": [
                "events": [
                    ["ticket": "T-1 \"quoted\" \\ back/slash\n\t\r\u{01}é✓", "event": "open", "priority": "P3"],
                    ["ticket": "T-2", "event": "close", "count": -42, "flag": false, "nothing": NSNull()],
                ] as [[String: Any]],
                "mixed": [1, "two", true, ["x": 1] as [String: Any], ["a", "b"] as [String]] as [Any],
                "empty": [:] as [String: Any],
            ] as [String: Any],
        ]
        let direct = try #require(RequestJSON.encode(message))
        let reference = try JSONSerialization.data(withJSONObject: message, options: [.withoutEscapingSlashes])
        let expected = try #require(try JSONSerialization.jsonObject(with: reference) as? NSDictionary)
        #expect(try parsed(direct) == expected)
    }

    @Test func otherValuesFallBackToJSONSerialization() {
        #expect(RequestJSON.encode(["n": 1.5]) == nil)
        #expect(RequestJSON.encode(["n": NSNumber(value: 3)]) == nil)
        #expect(RequestJSON.encode(["p": ["events": [["at": Date()]]] as [String: Any]]) == nil)
    }
}
