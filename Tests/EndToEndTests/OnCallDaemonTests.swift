import Foundation
import Testing

/// On call through the running daemon: who, shifts, overrides kept across restart and reload, a reload
/// refused for an override's sake, permissions, and the iCalendar export read by a third-party parser.
/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("On call in the daemon, through slactl", .tags(.endToEnd))
    struct OnCallDaemonTests {
        private func json(_ result: ProcessResult) throws -> [String: Any] {
            #expect(result.status == 0, "\(result.stderr)")
            return try jsonObject(result.stdout)
        }

        private func shifts(_ daemon: RunningDaemon, _ from: String, _ until: String) throws -> [[String: Any]] {
            try json(daemon.slactl(["oncall", "shifts", "desk", "--from", from, "--until", until, "--json"]))["shifts"]
                as? [[String: Any]] ?? []
        }

        @Test("who, shifts, override add, list, remove; overrides survive a restart and a reload")
        func whoShiftsOverrides() throws {
            let daemon = try RunningDaemon()
            let who = try json(daemon.slactl(["oncall", "who", "desk", "--at", "2026-12-07T12:00:00Z", "--json"]))
            let oncall = try #require(who["oncall"] as? [String: Any])
            #expect((oncall["person"] as? [String: Any])?["id"] as? String == "bob")
            #expect(((oncall["person"] as? [String: Any])?["contacts"] as? [[String: Any]])?.first?["address"] as? String
                == "bob@example.com")
            #expect(oncall["source"] as? String == "layer" && oncall["layer"] as? String == "business-hours")
            #expect(oncall["since"] as? String == "2026-12-07T08:00:00Z")
            #expect(oncall["until"] as? String == "2026-12-07T17:00:00Z")
            #expect((oncall["next"] as? [String: Any])?["person"] as? String == "erin")
            let byLine = try json(daemon.slactl(["oncall", "who", "--line", "1", "--at", "2026-12-07T12:00:00Z", "--json"]))
            #expect(((byLine["oncall"] as? [String: Any])?["person"] as? [String: Any])?["id"] as? String == "bob")
            let text = try daemon.slactl(["oncall", "who", "desk", "--at", "2026-12-07T12:00:00Z"])
            #expect(text.stdout.hasPrefix("bob (Bob Brown) is on call for desk at "), "\(text.stdout)")
            #expect(try daemon.slactl(["oncall", "who", "nope"]).status == 3)

            let added = try json(daemon.slactl([
                "oncall", "override", "add", "desk", "alice", "--from", "2026-12-07T10:00:00Z", "--until",
                "2026-12-07T11:00:00Z", "--json",
            ]))
            #expect(added["id"] as? String == "ov-1")
            let refused = try daemon.slactl([
                "oncall", "override", "add", "desk", "zed", "--from", "2026-12-07T10:00:00Z", "--until",
                "2026-12-07T11:00:00Z",
            ])
            #expect(refused.status == 1 && refused.stderr.contains("unknown person \"zed\""), "\(refused.stderr)")
            let expected: [[String]] = [
                ["bob", "layer", "2026-12-07T08:00:00Z", "2026-12-07T10:00:00Z"],
                ["alice", "override", "2026-12-07T10:00:00Z", "2026-12-07T11:00:00Z"],
                ["bob", "layer", "2026-12-07T11:00:00Z", "2026-12-07T12:00:00Z"],
            ]
            func summary(_ list: [[String: Any]]) -> [[String]] {
                list.map { [$0["person"] as? String ?? "-", $0["source"] as? String ?? "", $0["start"] as? String ?? "",
                            $0["end"] as? String ?? ""] }
            }
            #expect(summary(try shifts(daemon, "2026-12-07T08:00:00Z", "2026-12-07T12:00:00Z")) == expected)
            func overrides() throws -> [[String: Any]] {
                try json(daemon.slactl(["oncall", "override", "list", "--json"]))["overrides"] as? [[String: Any]] ?? []
            }
            #expect(try overrides().map { $0["id"] as? String } == ["ov-1"])
            #expect(try overrides().first?["actor"] as? Int == Int(getuid()))

            // A restart and a reload keep it.
            #expect(daemon.stop() == 0)
            try daemon.start()
            #expect(summary(try shifts(daemon, "2026-12-07T08:00:00Z", "2026-12-07T12:00:00Z")) == expected)
            let original = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            let withZoe = original.replacingOccurrences(
                of: "people:\n", with: "people:\n  zoe: {name: Zoe Zimmer, contacts: {email: zoe@example.com}}\n")
            try withZoe.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
            #expect(try daemon.slactl(["reload"]).status == 0)
            #expect(try overrides().map { $0["id"] as? String } == ["ov-1"])

            // A reload that would drop a person a future override names is refused whole, with the reason.
            let future = try json(daemon.slactl([
                "oncall", "override", "add", "desk", "zoe", "--from", "2099-01-01T00:00:00Z", "--until",
                "2099-01-02T00:00:00Z", "--json",
            ]))
            #expect(future["id"] as? String == "ov-2")
            try original.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
            let dropped = try daemon.slactl(["reload"])
            #expect(dropped.status == 1)
            #expect(dropped.stderr.contains("person \"zoe\" is gone, but override ov-2"), "\(dropped.stderr)")
            #expect(try daemon.slactl(["oncall", "override", "remove", "ov-2"]).status == 0)
            #expect(try daemon.slactl(["reload"]).status == 0)

            #expect(try daemon.slactl(["oncall", "override", "remove", "ov-1"]).status == 0)
            #expect(try overrides().isEmpty)
            #expect(try daemon.slactl(["oncall", "override", "remove", "ov-1"]).status == 3)
            #expect(daemon.stop() == 0)
        }

        @Test("show names who is on call for the line that holds the ticket")
        func showNamesOnCall() throws {
            let daemon = try RunningDaemon()
            #expect(try daemon.slactl(["open", "OC-1", "--priority", "P2", "--service", "mail", "--customer", "acme"])
                .status == 0)
            let now = Int64(Date().timeIntervalSince1970)
            let at = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(now)))
            let who = try json(daemon.slactl(["oncall", "who", "--line", "1", "--at", at, "--json"]))
            let person = ((who["oncall"] as? [String: Any])?["person"] as? [String: Any])?["id"] as? String
            let show = try daemon.slactl(["show", "OC-1"])
            #expect(show.status == 0)
            let line = show.stdoutLines.first { $0.hasPrefix("on call ") }
            #expect(line?.contains(" \(person ?? "?") ") == true || line?.contains(" \(person ?? "?") (") == true,
                    "\(show.stdout)")
            #expect(line?.contains("for desk") == true)
        }

        @Test("asking for a line without a team answers NoTeam")
        func noTeam() throws {
            let text = try String(contentsOf: packageRoot.appendingPathComponent("config/slad.yaml"), encoding: .utf8)
                .replacingOccurrences(of: ", team: development}", with: "}")
            let daemon = try RunningDaemon(configText: text)
            let result = try daemon.slactl(["oncall", "who", "--line", "3"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("line 3 has no on-call team"), "\(result.stderr)")
            #expect(try daemon.slactl(["oncall", "who", "--line", "2"]).status == 0)
        }

        @Test("a reader may ask who is on call but not add an override")
        func readerCannotAdd() throws {
            let daemon = try RunningDaemon(extraArguments: ["--reader-group", "nogroup", "--socket-group", "nogroup"])
            let asNobody = daemon.slactlAsNobody
            chmod(daemon.directory, 0o755)
            #expect(try asNobody(["oncall", "who", "desk"]).status == 0)
            #expect(try asNobody(["oncall", "override", "list"]).status == 0)
            let add = try asNobody([
                "oncall", "override", "add", "desk", "alice", "--from", "2099-01-01T00:00:00Z", "--until",
                "2099-01-02T00:00:00Z",
            ])
            #expect(add.status == 4, "\(add.stderr)")
            #expect(try daemon.slactl(["oncall", "override", "list", "--json"]).stdout.contains("\"overrides\":[]"))
        }

        @Test("oncall ical: RFC 5545 read by Python's icalendar matches ListShifts, UIDs stable, CRLF, folded")
        func iCalendar() throws {
            let daemon = try RunningDaemon()
            // Across Berlin's fall back on 2026-10-25 and an override.
            _ = try json(daemon.slactl([
                "oncall", "override", "add", "desk", "alice", "--from", "2026-10-25T00:30:00Z", "--until",
                "2026-10-25T01:30:00Z", "--json",
            ]))
            // The layers start on 2026-11-30: before that, the fallback is on call; take both.
            let window = ["--from", "2026-10-24T00:00:00Z", "--until", "2026-12-03T00:00:00Z"]
            let export = try daemon.slactl(["oncall", "ical", "desk"] + window)
            #expect(export.status == 0, "\(export.stderr)")
            let raw = export.stdout
            #expect(raw.hasPrefix("BEGIN:VCALENDAR\r\n") && raw.hasSuffix("END:VCALENDAR\r\n"))
            #expect(!raw.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
            #expect(raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 })
            #expect(raw.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"))
            let file = try temporaryFile(raw, suffix: ".ics")
            defer { try? FileManager.default.removeItem(at: file) }
            let script = """
                import json, sys, datetime, icalendar
                calendar = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
                utc = datetime.timezone.utc
                def text(value):
                    return value.astimezone(utc).strftime('%Y-%m-%dT%H:%M:%SZ')
                print(json.dumps([[str(e['UID']), text(e.decoded('DTSTART')), text(e.decoded('DTEND')), str(e['SUMMARY'])]
                                  for e in calendar.walk('VEVENT')]))
                """
            let parsed = try run("/usr/bin/env", ["python3", "-c", script, file.path])
            #expect(parsed.status == 0, "\(parsed.stderr)")
            let events = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [[String]])
            let listed = try shifts(daemon, "2026-10-24T00:00:00Z", "2026-12-03T00:00:00Z").filter { $0["person"] != nil }
            #expect(events.count == listed.count && !events.isEmpty)
            for (event, shift) in zip(events, listed) {
                #expect(event[1] == shift["start"] as? String && event[2] == shift["end"] as? String, "\(event) \(shift)")
                #expect(event[3].contains(shift["person"] as? String ?? "?"))
            }
            #expect(events.contains { $0[1] == "2026-10-25T00:30:00Z" && $0[3].contains("alice") })
            let again = try daemon.slactl(["oncall", "ical", "desk"] + window)
            func uids(_ text: String) -> [String] { text.components(separatedBy: "\r\n").filter { $0.hasPrefix("UID:") } }
            #expect(uids(again.stdout) == uids(raw) && Set(uids(raw)).count == uids(raw).count)
        }
    }
}
