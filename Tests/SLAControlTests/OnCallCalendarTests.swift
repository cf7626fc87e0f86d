import Foundation
import SLAContract
import Testing

@testable import SLAControl

@Suite("slactl oncall ical: the RFC 5545 text")
struct OnCallCalendarTests {
    @Test("long lines fold at 75 octets with CRLF and a space, never inside a UTF-8 sequence")
    func folding() {
        let line = "SUMMARY:" + String(repeating: "ä", count: 100)
        let folded = OnCallCalendar.folded(line)
        let parts = folded.components(separatedBy: "\r\n")
        #expect(parts.count == 3)
        #expect(parts.allSatisfy { $0.utf8.count <= 75 })
        #expect(parts.dropFirst().allSatisfy { $0.hasPrefix(" ") })
        #expect(parts.enumerated().map { $0.offset == 0 ? $0.element : String($0.element.dropFirst()) }.joined()
            == line)
    }

    @Test("TEXT values escape backslash, semicolon, comma and newline")
    func escaping() {
        #expect(OnCallCalendar.escaped("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne")
    }

    @Test("a repeated local time is written in UTC, others in the team's zone; gaps get no event")
    func times() {
        let shifts = [
            SlaInterface.Shift(person: "a", source: "layer", layer: "l", start: "2026-10-25T00:30:00Z",
                               end: "2026-10-25T01:30:00Z"),
            SlaInterface.Shift(
                person: nil, source: "nobody", start: "2026-10-25T01:30:00Z", end: "2026-10-25T03:00:00Z"),
        ]
        let text = OnCallCalendar(
            team: "desk", timeZone: TimeZone(identifier: "Europe/Berlin")!, shifts: shifts,
            made: Date(timeIntervalSince1970: 0)
        ).render()
        // 00:30Z is 02:30 CEST (its first occurrence); 01:30Z is the second 02:30, CET.
        #expect(text.contains("DTSTART;TZID=Europe/Berlin:20261025T023000\r\n"))
        #expect(text.contains("DTEND:20261025T013000Z\r\n"))
        #expect(text.components(separatedBy: "BEGIN:VEVENT").count == 2)
        #expect(text.contains("TZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"))
    }
}
