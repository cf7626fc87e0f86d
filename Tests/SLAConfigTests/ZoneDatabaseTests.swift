import Foundation
import SLAConfig
import SLACore
import SLATestKit
import Testing

/// Zone names in the configuration, looked up in the system's tzdata (`$TZDIR`, else /usr/share/zoneinfo).
@Suite("Time zones from the tzdata folder")
struct ZoneDatabaseTests {
    static func document(zone: String) -> String {
        Fixture.document(Fixture.calendars(office: "timezone: \(zone)\nhours:\n  mon-fri: [\"08:00-17:00\"]"))
    }

    @Test("TZDIR is used when set, else /usr/share/zoneinfo")
    func systemFolder() {
        #expect(ZoneDatabase.system(environment: [:]).directory == "/usr/share/zoneinfo")
        #expect(ZoneDatabase.system(environment: ["TZDIR": ""]).directory == "/usr/share/zoneinfo")
        #expect(ZoneDatabase.system(environment: ["TZDIR": "/opt/tz"]).directory == "/opt/tz")
    }

    @Test("a zone missing from the folder is an error at its place, naming the file tried")
    func missingZone() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-tzdir")
        let yaml = Self.document(zone: "Europe/Berlin")
        let zones = ZoneDatabase(directory: tzdir)
        guard case .failure(let errors) = ConfigLoader.parse(yaml: yaml, file: "t.yaml", zones: zones) else {
            Issue.record("a zone missing from TZDIR must be refused")
            return
        }
        #expect(errors.diagnostics.count == 1)
        #expect(errors.diagnostics[0].line == 3)
        #expect(errors.diagnostics[0].column == 15)
        #expect(errors.diagnostics[0].message.contains("\(tzdir)/Europe/Berlin: there is no such zone file"))
    }

    @Test("UTC needs no file")
    func utcWithoutFiles() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-tzdir")
        let configuration = try ConfigLoader.parse(
            yaml: Self.document(zone: "UTC"), file: "t.yaml", zones: ZoneDatabase(directory: tzdir)
        ).get()
        #expect(configuration.calendars.allSatisfy { $0.zone == .utc })
        #expect(configuration.tzdataVersion == nil)
    }

    @Test(
        "names that are no IANA zone name are refused before any file is opened",
        arguments: ["../../etc/passwd", "/etc/localtime", "Europe//Berlin", "Europe/Berlin/", "Eu\u{0}rope", "Eu rope"])
    func badNames(_ name: String) {
        guard case .failure(let error) = ZoneDatabase.system().rules(named: name) else {
            Issue.record("\(name) must be refused")
            return
        }
        #expect(error.path == nil)
    }

    @Test("the version comes from +VERSION, else from the version line of tzdata.zi")
    func version() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-tzdir")
        let database = ZoneDatabase(directory: tzdir)
        #expect(database.version() == nil)
        try "# version 2031z\n# redo posix_only\nZ Test/X 0 - X\n".write(
            toFile: tzdir + "/tzdata.zi", atomically: true, encoding: .utf8)
        #expect(database.version() == "2031z")
        try "2032a\n".write(toFile: tzdir + "/+VERSION", atomically: true, encoding: .utf8)
        #expect(database.version() == "2032a")
        #expect(ZoneDatabase(directory: "/usr/share/zoneinfo").version()?.isEmpty == false)
    }

    @Test("each load reads the zone files again: nothing is cached between loads")
    func noCacheAcrossLoads() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-tzdir")
        let zones = ZoneDatabase(directory: tzdir)
        let yaml = Self.document(zone: "Test/Office")
        try TestZones.compile("Zone Test/Office 1:00 - OFF", into: tzdir)
        let first = try ConfigLoader.parse(yaml: yaml, file: "t.yaml", zones: zones).get()
        try TestZones.compile("Zone Test/Office 3:00 - OFF", into: tzdir)
        let second = try ConfigLoader.parse(yaml: yaml, file: "t.yaml", zones: zones).get()
        #expect(first.calendars[0].zone.offset(utc: 0) == 3600)
        #expect(second.calendars[0].zone.offset(utc: 0) == 3 * 3600)
    }

    @Test("a file that is not TZif is refused with the reason")
    func notTZif() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-tzdir")
        try FileManager.default.createDirectory(atPath: tzdir + "/Test", withIntermediateDirectories: true)
        try "not a zone".write(toFile: tzdir + "/Test/Office", atomically: true, encoding: .utf8)
        let diagnostics: [ConfigDiagnostic]
        let zones = ZoneDatabase(directory: tzdir)
        switch ConfigLoader.parse(yaml: Self.document(zone: "Test/Office"), file: "t.yaml", zones: zones) {
        case .success: diagnostics = []
        case .failure(let errors): diagnostics = errors.diagnostics
        }
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.message.contains("not a TZif zone file") == true)
    }

    @Test("the system's zones load, and check-config's zone line names the version and the folder")
    func systemZones() throws {
        let zones = ZoneDatabase(directory: "/usr/share/zoneinfo")
        let configuration = try ConfigLoader.parse(yaml: Fixture.valid, file: "t.yaml", zones: zones).get()
        #expect(configuration.calendars[0].zone.name == "Europe/Berlin")
        let line = ConfigLoader.zoneSummary(of: configuration, zones: zones)
        #expect(line == "time zones: tzdata \(zones.version()!) from /usr/share/zoneinfo")
    }
}
