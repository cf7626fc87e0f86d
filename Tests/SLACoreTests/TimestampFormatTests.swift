import Testing

@testable import SLACore

@Suite struct TimestampFormatTests {
    /// The field-by-field formatting the fast path replaced, as the reference.
    private func reference(_ instant: Instant) -> String {
        let s = instant.secondsSince1970
        let days = CivilDate.floorDiv(s, 86_400)
        let secs = s - days * 86_400
        let (y, m, d) = CivilDate.date(days: days)
        return Timestamp.pad(Int(y), 4) + "-" + Timestamp.pad(Int(m), 2) + "-" + Timestamp.pad(Int(d), 2) + "T"
            + Timestamp.pad(Int(secs / 3600), 2) + ":" + Timestamp.pad(Int(secs / 60 % 60), 2) + ":"
            + Timestamp.pad(Int(secs % 60), 2) + "Z"
    }

    @Test func formatsAsBeforeAcrossTheRange() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var instants: [Int64] = [0, -1, 1, 86_399, 86_400, 951_782_400, 1_772_438_400, 253_402_300_799, 253_402_300_800]
        instants += [-62_167_219_200, -62_167_219_201]
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            instants.append(Int64(bitPattern: state >> 1) % 300_000_000_000 - 70_000_000_000)
        }
        for seconds in instants {
            let instant = Instant(secondsSince1970: seconds)
            #expect(Timestamp.format(instant) == reference(instant), "\(seconds)")
        }
        #expect(Timestamp.format(Instant(secondsSince1970: 1_772_438_400)) == "2026-03-02T08:00:00Z")
    }
}
