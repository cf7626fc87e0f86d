import Foundation
import Testing

/// `slactl report` from the real slad against `slad report` over the same events: the property that
/// the daemon's stored outcomes give the offline report, byte for byte, with the real binaries.
/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("slactl report against slad report")
    struct ReportDaemonTests {
        /// Seconds-long targets on a 24x7 calendar, so a live run breaches, escalates and meets in seconds.
        static let config = """
            calendars:
              always: {timezone: UTC}
            priorities:
              levels: [P1, P2]
            agreements:
              - {name: fast, kind: sla, calendar: always, objective: 50%,
                 targets: {P1: {response: 4s, resolution: 12s}, P2: {response: 1h, resolution: 2h}}}
              - {name: desk, kind: ola, calendar: always, targets: {P1: {resolution: 5s}, P2: {resolution: 1h}}}
              - {name: ops, kind: ola, calendar: always, targets: {P1: {resolution: 1m}, P2: {resolution: 1h}}}
              - {name: dev, kind: ola, calendar: always, targets: {P1: {resolution: 1m}, P2: {resolution: 1h}}}
              - {name: vendor, kind: uc, calendar: always, targets: {P1: {resolution: 1m}, P2: {resolution: 1h}}}
            lines:
              - {id: 1, name: Desk, agreement: desk}
              - {id: 2, name: Ops, agreement: ops}
              - {id: 3, name: Dev, agreement: dev}
              - {id: 4, name: Vendor, agreement: vendor}
            escalation:
              hierarchical:
                - {clock: resolution, at: 100%, notify: duty-manager}
            """

        /// The events, at seconds from the start B: A is met everywhere and handed to line 2 in time; B
        /// breaches its response (B+4), leaves line 1 on expiry (B+5) and breaches its resolution (B+12).
        /// No event falls within two seconds of a deadline: the daemon takes a second it fired as done and
        /// would apply an event at that very second a second later.
        static let steps: [(Int64, [String])] = [
            (
                0,
                [
                    #""ticket":"A","event":"open","priority":"P1","customer":"acme""#,
                    #""ticket":"B","event":"open","priority":"P1","customer":"globex""#,
                ]
            ),
            (1, [#""ticket":"A","event":"respond""#]),
            (2, [#""ticket":"A","event":"assign","line":2"#]),
            (7, [#""ticket":"B","event":"respond""#]),
            (8, [#""ticket":"A","event":"resolve""#]),
            (14, [#""ticket":"B","event":"resolve""#]),
            (15, [#""ticket":"A","event":"close""#, #""ticket":"B","event":"close""#]),
        ]

        @Test("the same figures, byte-equal JSON and CSV, after the same events were submitted live")
        func sameAsOffline() throws {
            let daemon = try RunningDaemon(configText: Self.config)
            // B: the next whole second, at least half a second ahead.
            let base = Int64((Date().timeIntervalSince1970 + 1.5).rounded(.down))
            var lines: [String] = []
            for (offset, events) in Self.steps {
                let at = Date(timeIntervalSince1970: TimeInterval(base + offset))
                let wait = at.timeIntervalSinceNow + 0.3
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
                let stamp = ISO8601DateFormatter().string(from: at)
                let batch = events.map { "{\"at\":\"\(stamp)\",\($0)}" }
                lines += batch
                let submitted = try daemon.slactl(
                    ["submit", "-"], stdin: Data((batch.joined(separator: "\n") + "\n").utf8))
                #expect(submitted.status == 0, "\(submitted.stderr)")
            }
            let eventsFile = try temporaryFile(lines.joined(separator: "\n") + "\n", suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(at: eventsFile) }
            let day = DateFormatter()
            day.dateFormat = "yyyy-MM-dd"
            day.timeZone = TimeZone(identifier: "UTC")
            let since = day.string(from: Date(timeIntervalSince1970: TimeInterval(base)))
            let until = day.string(from: Date(timeIntervalSince1970: TimeInterval(base + 15 + 86_400)))
            for (format, group) in [("json", ["agreement,priority"]), ("json", []), ("csv", ["customer", "line"])] {
                let options =
                    ["--since", since, "--until", until, "--by", "day", "--timezone", "UTC", "--format", format]
                    + group.flatMap { ["--group", $0] }
                let live = try daemon.slactl(["report"] + options)
                #expect(live.status == 0, "\(live.stderr)")
                let offline = try run("slad", ["report", "--config", daemon.configPath] + options + [eventsFile.path])
                #expect(offline.status == 0, "\(offline.stderr)")
                #expect(live.stdout == offline.stdout)
                #expect(live.stdout.contains(since))
            }
            // Not an empty report on both sides: the month from `since` (its first period starts there), by hand:
            // response, resolution and line 1 met by A, not B (50 %); line 2 met by both; A in time to line 2, B
            // on expiry (50 %); neither fixed at line 1; one breach of each kind, the hierarchical rule at B+12;
            // response after 1 and 7 s, resolution after 8 and 14 s; line 1 held 2 and 5 s, line 2 6 and 9 s.
            let totals = try daemon.slactl([
                "report", "--since", since, "--until", until, "--timezone", "UTC", "--format", "csv",
            ])
            let row = totals.stdout.components(separatedBy: "\r\n")[1]
            #expect(
                row == "\(since),50,50,50,100,,,,,50,0,0,2,2,2,1,1,1,2,0,0,1,"
                    + "4,4,7,11,11,14,4,4,7,11,11,14,3.5,7.5,,,0,0,0,0,0,",
                "\(row)")
        }
    }
}
