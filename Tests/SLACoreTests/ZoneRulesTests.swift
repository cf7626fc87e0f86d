import Foundation
import SLATestKit
import Testing

@testable import SLACore

/// Zone rules from TZif files, against `zdump` (glibc's reading of the same files) and `zic`.
@Suite("Zone rules from TZif files")
struct ZoneRulesTests {
    /// Asserts that the rules' changes of offset in `[from, to)` years are exactly zdump's.
    static func expectAgreesWithZdump(
        _ rules: ZoneRules, _ name: String, tzdir: String? = nil, from: Int, to: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let expected = try TestZones.zdump(name, tzdir: tzdir, from: from, to: to)
        let start = CivilDate.days(year: Int64(from), month: 1, day: 1) * 86_400
        let end = CivilDate.days(year: Int64(to), month: 1, day: 1) * 86_400
        let ours = rules.changes.changes.filter { $0.at >= start && $0.at < end }
        #expect(
            ours.map(\.at) == expected.changes.map(\.at), "\(name): transition instants",
            sourceLocation: sourceLocation)
        #expect(
            ours.map(\.offset) == expected.changes.map(\.offset), "\(name): offsets", sourceLocation: sourceLocation)
        if let first = expected.changes.first {
            #expect(
                rules.offset(utc: first.at - 1) == expected.initialOffset, "\(name): before the first",
                sourceLocation: sourceLocation)
        }
    }

    /// Every zone of the system's tzdata (the `Z` lines of tzdata.zi), 1900 to 2400.
    static let systemZones: [String] = {
        guard let text = try? String(contentsOfFile: "/usr/share/zoneinfo/tzdata.zi", encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").filter { $0.hasPrefix("Z ") }.map { String($0.split(separator: " ")[1]) }
    }()

    @Test("for every zone of the system's tzdata, every change of offset 1900-2040 is zdump's")
    func systemTzdataAgreesWithZdump() throws {
        #expect(Self.systemZones.count > 300, "tzdata.zi lists the zones")
        for name in Self.systemZones {
            try Self.expectAgreesWithZdump(TestZones.system(name), name, from: 1900, to: 2040)
        }
    }

    @Test("past the tables, through 2400 (the footers' rules), a sample of zones agrees with zdump")
    func footersAgreeWithZdump() throws {
        var rng = SplitMix(seed: 2026)
        let named = ["America/Havana", "America/Vancouver", "America/Edmonton", "America/Winnipeg",
            "Africa/Casablanca", "Europe/Dublin", "Australia/Lord_Howe", "America/Santiago", "Pacific/Auckland"]
        let sample = (0..<15).map { _ in Self.systemZones[rng.next(Self.systemZones.count)] }
        for name in named + sample {
            try Self.expectAgreesWithZdump(TestZones.system(name), name, from: 2030, to: 2400)
        }
    }

    @Test("random instants: the table's offset is the one zdump's last change before it gives")
    func randomInstants() throws {
        var rng = SplitMix(seed: 13)
        for _ in 0..<40 {
            let name = Self.systemZones[rng.next(Self.systemZones.count)]
            let rules = TestZones.system(name)
            let expected = try TestZones.zdump(name, from: 1970, to: 2200)
            // zdump names no offset for a zone without changes in the range.
            guard !expected.changes.isEmpty else { continue }
            for _ in 0..<200 {
                let t = Int64.random(in: 0..<7_258_118_400, using: &rng)
                let offset = expected.changes.last { $0.at <= t }?.offset ?? expected.initialOffset
                #expect(rules.offset(utc: t) == offset, "\(name) at \(t)")
            }
        }
    }

    @Test("America/Havana after 2026-11-01 follows the system's tzdata: daylight time until 2027-11-07")
    func havana() throws {
        let rules = TestZones.system("America/Havana")
        try Self.expectAgreesWithZdump(rules, "America/Havana", from: 2026, to: 2100)
        // tzdata 2026f: no fall back in November 2026 (the toolchain's ICU 2025b said UTC-5 here).
        let november2 = Timestamp.parse("2026-11-02T12:00:00Z")!.secondsSince1970
        #expect(rules.offset(utc: november2) == -4 * 3600)
        let fallBack = Timestamp.parse("2027-11-07T05:00:00Z")!.secondsSince1970
        #expect(rules.offset(utc: fallBack - 1) == -4 * 3600)
        #expect(rules.offset(utc: fallBack) == -5 * 3600)
    }

    static let madeUp = """
        Rule Test min max - Mar lastSun 2:00 1:00 S
        Rule Test min max - Oct lastSun 3:00 0 -
        Zone Test/Footer 1:00 Test CE%sT
        Rule Hist 1990 2010 - Apr Sun>=1 2:00 1:00 D
        Rule Hist 1990 2010 - Oct lastSun 2:00 0 S
        Zone Test/Table -5:00 Hist E%sT 2011
                        -4:00 - -04
        """

    /// A version 2 TZif file with no transitions: one local time type and the footer (zic writes a
    /// transition at 1970 even for such a zone, so the bytes are made here).
    static func footerOnlyFile(offset: Int32, designation: String, footer: String) -> [UInt8] {
        func be32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        let chars = Array(designation.utf8) + [0]
        func header(types: UInt32, chars: UInt32) -> [UInt8] {
            Array("TZif2".utf8) + [UInt8](repeating: 0, count: 15) + be32(0) + be32(0) + be32(0) + be32(0)
                + be32(types) + be32(chars)
        }
        let v1 = header(types: 1, chars: 1) + be32(0) + [0, 0, 0]
        let v2 = header(types: 1, chars: UInt32(chars.count)) + be32(UInt32(bitPattern: offset)) + [0, 0] + chars
        return v1 + v2 + Array("\n\(footer)\n".utf8)
    }

    @Test("a zone with a footer only (no transitions in its table) follows the footer from 1900 to 2400")
    func footerOnly() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-zic")
        try TestZones.compile(Self.madeUp, into: tzdir, options: ["-b", "slim"])
        let bytes = Self.footerOnlyFile(offset: 3600, designation: "CET", footer: "CET-1CEST,M3.5.0,M10.5.0/3")
        let file = try TimeZoneFile(bytes: bytes)
        #expect(file.transitions.isEmpty)
        #expect(file.footer == "CET-1CEST,M3.5.0,M10.5.0/3")
        let rules = try ZoneRules(name: "Test/Footer", tzif: bytes)
        // glibc ignores the footer of a file without transitions, against RFC 8536 §3.3, so zdump is
        // asked about zic's file of the same zone (a transition in 1970, then the same footer).
        try Self.expectAgreesWithZdump(rules, "Test/Footer", tzdir: tzdir, from: 1971, to: 2400)
        #expect(rules.offset(utc: Timestamp.parse("1950-07-01T00:00:00Z")!.secondsSince1970) == 7200)
        #expect(rules.offset(utc: Timestamp.parse("2390-07-01T00:00:00Z")!.secondsSince1970) == 7200)
        #expect(rules.offset(utc: Timestamp.parse("2390-12-01T00:00:00Z")!.secondsSince1970) == 3600)
    }

    @Test("a version 1 file (32-bit table, no footer) gives its transitions, then its last offset")
    func versionOne() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-zic")
        try TestZones.compile(Self.madeUp, into: tzdir, options: ["-b", "fat"])
        let fat = [UInt8](FileManager.default.contents(atPath: tzdir + "/Test/Table")!)
        // A version 1 file is the header and the 32-bit block of a later one, with version byte 0.
        func count(_ index: Int) -> Int { fat[20 + 4 * index..<24 + 4 * index].reduce(0) { $0 << 8 | Int($1) } }
        let (ut, std, leap, time, type, chars) = (count(0), count(1), count(2), count(3), count(4), count(5))
        var v1 = Array(fat[0..<(44 + time * 5 + type * 6 + chars + leap * 8 + std + ut)])
        v1[4] = 0
        let file = try TimeZoneFile(bytes: v1)
        #expect(file.version == 1)
        #expect(file.footer.isEmpty)
        let rules = try ZoneRules(name: "Test/Table", tzif: v1)
        try Self.expectAgreesWithZdump(rules, "Test/Table", tzdir: tzdir, from: 1901, to: 2030)
        #expect(rules.offset(utc: Timestamp.parse("2300-01-01T00:00:00Z")!.secondsSince1970) == -4 * 3600)
        // The same zone as a version 2+ file agrees.
        let fatRules = try ZoneRules(name: "Test/Table", tzif: fat)
        #expect(fatRules.changes.changes.map(\.at) == rules.changes.changes.map(\.at))
    }

    @Test(
        "footer strings: southern daylight time, all-year daylight time, half hours, v3 hours beyond 24",
        arguments: [
            ("<-03>3<-02>,M10.1.0/0,M2.3.0/0", "2030-01-10T00:00:00Z", -7200),
            ("<-03>3<-02>,M10.1.0/0,M2.3.0/0", "2030-06-10T00:00:00Z", -10800),
            ("EST5EDT,0/0,J365/25", "2031-01-01T02:00:00Z", -14400),
            ("EST5EDT,0/0,J365/25", "2031-07-01T02:00:00Z", -14400),
            ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2030-01-01T00:00:00Z", 39600),
            ("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2030-07-01T00:00:00Z", 37800),
            ("<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2030-07-01T00:00:00Z", -3600),
            ("IST-1GMT0,M10.5.0,M3.5.0/1", "2030-01-01T00:00:00Z", 0),
            ("IST-1GMT0,M10.5.0,M3.5.0/1", "2030-07-01T00:00:00Z", 3600),
            ("<+03>-3", "2030-07-01T00:00:00Z", 10800),
        ])
    func footerStrings(_ footer: String, _ at: String, _ offset: Int32) throws {
        let zone = try POSIXTimeZone(footer)
        let t = Timestamp.parse(at)!.secondsSince1970
        #expect(zone.offset(at: t) == offset)
        // The generated table agrees with the direct answer.
        let changes = zone.changes(after: 0, before: ZoneRules.tableEnd)
        let rules = ZoneRules(name: "x", initialOffset: zone.offset(at: 0), changes: changes)
        #expect(rules.offset(utc: t) == offset)
    }

    @Test("all-year daylight time has no transitions at the new year")
    func allYearDaylight() throws {
        let zone = try POSIXTimeZone("EST5EDT,0/0,J365/25")
        #expect(zone.changes(after: 0, before: ZoneRules.tableEnd).isEmpty)
    }

    @Test(
        "malformed files and footers are errors, never a crash",
        arguments: ["", "TZif", "TZif5", "NotTZifAtAll-----------------------------------------"])
    func malformed(_ text: String) {
        #expect(throws: TimeZoneFileError.self) { try ZoneRules(name: "x", tzif: Array(text.utf8)) }
    }

    @Test("every prefix and random corruption of a real file is refused or parsed, never a crash")
    func corruption() throws {
        let bytes = [UInt8](FileManager.default.contents(atPath: "/usr/share/zoneinfo/Europe/Berlin")!)
        for length in 0..<bytes.count {
            _ = try? ZoneRules(name: "x", tzif: Array(bytes[0..<length]))
        }
        var rng = SplitMix(seed: 8536)
        for _ in 0..<3000 {
            var copy = bytes
            for _ in 0..<3 { copy[rng.next(copy.count)] = UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? ZoneRules(name: "x", tzif: copy)
        }
        #expect(throws: TimeZoneFileError.self) { try POSIXTimeZone("EST5EDT") }
        #expect(throws: TimeZoneFileError.self) { try POSIXTimeZone("E5") }
        #expect(throws: TimeZoneFileError.self) { try POSIXTimeZone("EST5EDT,M13.1.0,M11.1.0") }
    }
}
