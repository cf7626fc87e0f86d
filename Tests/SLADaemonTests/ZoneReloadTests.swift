import Foundation
import SLAConfig
import SLACore
import SLADaemon
import SLATestKit
import Testing

/// Zone rules come from the files of `$TZDIR` at every load: a tzdata upgrade applies with a reload.
@Suite("Zone rules are read again at every reload")
struct ZoneReloadTests {
    /// A made-up office zone at a fixed offset, compiled by zic, with the release named in +VERSION.
    static func install(offset: String, version: String, in tzdir: String) throws {
        try TestZones.compile("Zone Test/Office \(offset) - OFF\n", into: tzdir)
        try version.write(toFile: tzdir + "/+VERSION", atomically: true, encoding: .utf8)
    }

    @Test("a rule change in the zone file applies after a reload of an unchanged configuration; Status names it")
    func ruleChangeAppliesAfterReload() async throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-tzdir")
        try Self.install(offset: "1:00", version: "test1", in: tzdir)
        let text = try String(contentsOfFile: exampleConfig, encoding: .utf8)
            .replacingOccurrences(of: "timezone: Europe/Berlin", with: "timezone: Test/Office")
        // Monday 06:00Z: 07:00 at UTC+1, an hour before the office (08:00-13:00) opens.
        let start = Timestamp.parse("2026-03-02T06:00:00Z")!
        var fixture = try HostFixture(configText: text, start: start)
        fixture.zones = ZoneDatabase(directory: tzdir)
        let host = try fixture.open()
        #expect(await host.status().tzdataVersion == "test1")
        _ = await host.submit([event("INC-1", goldP1)], actor: 0)
        // The desk's OLA (15m of office hours) runs from 08:00 local, 07:00Z.
        #expect(await host.ticket("INC-1")?.snapshot.clocks[2].due == start + 3600 + 15 * 60)

        guard case .unchanged = await host.reload() else {
            Issue.record("nothing changed: the reload should say so")
            return
        }
        // The zone moves to UTC+2 (a tzdata upgrade): 06:01Z is 08:01 local, inside office hours.
        try Self.install(offset: "2:00", version: "test2", in: tzdir)
        fixture.clock.advance(seconds: 60)
        guard case .applied = await host.reload() else {
            Issue.record("new zone rules should apply, though the configuration's text is the same")
            return
        }
        #expect(await host.ticket("INC-1")?.snapshot.clocks[2].due == start + 60 + 15 * 60)
        #expect(await host.status().tzdataVersion == "test2")
        host.stop()
    }

    @Test("a zone missing from TZDIR keeps slad from starting, naming the file tried")
    func missingZone() throws {
        let tzdir = try makeTemporaryDirectory(prefix: "slad-tzdir")
        let text = try String(contentsOfFile: exampleConfig, encoding: .utf8)
            .replacingOccurrences(of: "timezone: Europe/Berlin", with: "timezone: Test/Office")
        var fixture = try HostFixture(configText: text)
        fixture.zones = ZoneDatabase(directory: tzdir)
        #expect {
            try fixture.open()
        } throws: { error in
            "\(error)".contains(tzdir + "/Test/Office: there is no such zone file")
        }
    }
}
