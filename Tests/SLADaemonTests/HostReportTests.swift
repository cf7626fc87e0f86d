import Foundation
import SLAConfig
import SLACore
import SLADaemon
import SLAReport
import SLATestKit
import SLAWire
import Testing

/// The daemon's report from its stored outcomes against the offline report over the same events.
@Suite("The engine host's report")
struct HostReportTests {
    static let fixtures = packageRoot + "/Tests/ReportFixtures"

    /// The hand-worked events submitted one at a time at their instants (the clock moved to each),
    /// the host restarted half-way (recovery rebuilds what reports need without storing it twice),
    /// then the clock moved past the report's end: the report from the store is byte for byte the
    /// offline one, in every form and grouping asked.
    @Test(arguments: [
        (ReportFormat.json, [String]()), (.json, ["agreement", "priority"]), (.csv, ["line", "customer"]),
        (.json, ["service"]),
    ])
    func sameAsOffline(format: ReportFormat, group: [String]) async throws {
        let configText = try String(contentsOfFile: Self.fixtures + "/hand-worked.yaml", encoding: .utf8)
        let eventsText = try String(contentsOfFile: Self.fixtures + "/hand-worked.jsonl", encoding: .utf8)
        let (events, problems) = Replay.readEvents(input: Data(eventsText.utf8))
        #expect(problems.isEmpty)
        let fixture = try HostFixture(configText: configText, start: events[0].at)
        var host = try fixture.open()
        // The restart happens a second before an event, after a later instant than the one before it: a
        // start takes its clock's second as fired, so an event at that very second would be applied a
        // second later (the daemon's rule, which the offline replay has no need of).
        let restart = (events.count / 2..<events.count).first { events[$0].at - events[$0 - 1].at > 1 }!
        for (index, timed) in events.enumerated() {
            if index == restart {
                host.drain()
                host.stop()
                fixture.clock.set(timed.at - 1)
                host = try fixture.open()
            }
            fixture.clock.set(timed.at)
            #expect(await host.submit([TimedEvent(at: timed.at, event: timed.event)], actor: 0) == .accepted(1))
        }
        fixture.clock.set(Timestamp.parse("2026-10-27T00:00:00Z")!)
        host.fireDueNow()
        host.drain()
        let zone = TestZones.system("Europe/Berlin")
        let options = ReportOptions(since: "2026-10-24", until: "2026-10-27", by: "day", group: group)
        let daemon = try await host.report(options, zone: zone, format: format).get()
        host.stop()

        let configuration = try ConfigLoader.parse(yaml: configText, file: "hand-worked.yaml").get()
        let request = try options.request(calendar: ReportCalendar(zone: zone), first: nil, last: nil)
        let offline = OfflineReport.run(
            configuration: configuration, events: events, requests: ReportPages.requests(for: request, format: format))
        #expect(offline.problems.isEmpty)
        #expect(daemon == ReportPages.render(offline.reports, format: format))
        #expect(daemon.contains("2026-10-26"))
    }

    @Test("options that are no report are refused naming the option")
    func badOptions() async throws {
        let fixture = try HostFixture()
        let host = try fixture.open()
        defer { host.stop() }
        let result = await host.report(ReportOptions(by: "year"), zone: .utc, format: .json)
        #expect(
            result
                == .failure(
                    .invalidOption(parameter: "by", message: "--by \"year\" is not a period; write day, week or month"))
        )
        let empty = await host.report(ReportOptions(), zone: .utc, format: .json)
        #expect(
            empty
                == .failure(
                    .invalidOption(parameter: "since", message: "there is nothing to report; give --since and --until"))
        )
    }
}
