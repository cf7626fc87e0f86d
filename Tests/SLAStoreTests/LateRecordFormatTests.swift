import Foundation
import SLACore
import SLAWire
import Testing

@Suite("Late records in the replay format")
struct LateRecordFormatTests {
    static let at = Instant(secondsSince1970: 1_772_438_400)
    static let records: [TimelineRecord] = [
        TimelineRecord(at: at, ticket: "INC-1", kind: .due(.response, agreement: "gold", due: at + 900)),
        TimelineRecord(at: at, ticket: "INC-1", kind: .warning(.line(2), agreement: "ops", percent: 75)),
        TimelineRecord(at: at, ticket: "INC-1", kind: .breach(.resolution, agreement: "gold")),
        TimelineRecord(at: at, ticket: "INC-1", kind: .met(.line(1), agreement: "desk")),
        TimelineRecord(at: at, ticket: "INC-1", kind: .functionalEscalation(from: 1, to: 2, reason: .manual)),
        TimelineRecord(
            at: at, ticket: "INC-1", kind: .hierarchicalEscalation(to: "duty", clock: .resolution, percent: 90)),
    ]

    @Test("a late record ends with \"late\":true; an on-time one has no late key", arguments: records)
    func late(_ record: TimelineRecord) throws {
        let onTime = RecordFormat.encode(record)
        #expect(RecordFormat.encode(record, late: false) == onTime)
        #expect(!onTime.contains(#""late""#))
        #expect(RecordFormat.encode(record, late: true) == onTime.dropLast() + #","late":true}"#)
        let object = try JSONSerialization.jsonObject(with: Data(RecordFormat.encode(record, late: true).utf8))
        #expect((object as? [String: Any])?["late"] as? Bool == true)
    }
}
