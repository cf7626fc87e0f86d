import SLAJSON
import Testing

@testable import SLAControl

@Suite("slactl watch --json: the record's text as slad sent it")
struct WatchTextTests {
    static let record = #"{"at":"2026-03-02T09:15:00Z","ticket":"INC-1","kind":"breach","clock":"response","agreement":"gold"}"#

    @Test("the record is cut out of a streamed reply and of a last one, unchanged")
    func cutOut() {
        for reply in [#"{"parameters":{"record":\#(Self.record)},"continues":true}"#, #"{"parameters":{"record":\#(Self.record)}}"#] {
            #expect(SlaControl.recordText(Array(reply.utf8), parameters: ["record": [:]]) == Self.record)
        }
    }

    @Test("a reply shaped otherwise is left to re-serialisation", arguments: [
        #"{"continues":true,"parameters":{"record":{"a":1}}}"#,  // another key order
        #"{"parameters":{"record":{"a":1},"more":2}}"#,  // another member
        #"{"parameters":{"record":[1]}}"#,  // not an object
    ])
    func otherShapes(_ reply: String) {
        let parameters: [String: JSONValue] = reply.contains(#""more""#) ? ["record": 1, "more": 2] : ["record": 1]
        #expect(SlaControl.recordText(Array(reply.utf8), parameters: parameters) == nil)
    }
}
