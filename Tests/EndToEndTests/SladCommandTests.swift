import Foundation
import Testing

/// The built `slad` and `slactl` binaries, run as a user runs them.
/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("slad and slactl binaries", .tags(.endToEnd))
    struct SladCommandTests {
        @Test("check-config accepts the shipped configuration with a summary and the tzdata it read")
        func checkShippedConfig() throws {
            let result = try run("slad", ["check-config", "--config", "config/slad.yaml"])
            #expect(result.status == 0, "\(result.stderr)")
            let version = try String(contentsOfFile: "/usr/share/zoneinfo/tzdata.zi", encoding: .utf8)
                .prefix { $0 != "\n" }.dropFirst("# version ".count)
            #expect(result.stdoutLines == [
                "config/slad.yaml: 3 calendars, 4 priorities, 6 agreements (2 sla, 3 ola, 1 uc), 4 lines, 4 hierarchical rules",
                "time zones: tzdata \(version) from /usr/share/zoneinfo",
            ])
        }

        @Test("check-config reads zones from TZDIR: one missing there is an error naming the file tried")
        func checkConfigTZDIR() throws {
            let tzdir = FileManager.default.temporaryDirectory
                .appendingPathComponent("slad-tzdir-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: tzdir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: tzdir) }
            let result = try run("slad", ["check-config", "--config", "config/slad.yaml"], environment: ["TZDIR": tzdir])
            #expect(result.status == 2)
            #expect(
                result.stderrLines.contains {
                    $0.hasPrefix("config/slad.yaml:20:15: ") && $0.contains(tzdir + "/Europe/Berlin")
                })
        }

        @Test("check-config prints an OLA-fit warning and exits 0; --strict makes it an error, exit 2")
        func checkConfigWarnings() throws {
            let shipped = try String(contentsOfFile: "config/slad.yaml", encoding: .utf8)
            let tight = shipped.replacingOccurrences(
                of: "P1: {response: 15m, resolution: 4h}", with: "P1: {response: 15m, resolution: 20m}")
            #expect(tight != shipped)
            let file = try temporaryFile(tight, suffix: ".yaml")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try run("slad", ["check-config", "--config", file.path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdoutLines.count == 2)
            #expect(result.stderrLines.count >= 1)
            #expect(result.stderrLines.allSatisfy { $0.hasPrefix(file.path + ":") && $0.contains(": warning: ") })
            #expect(result.stderrLines.contains { $0.contains("the support lines may hold a P1 ticket") })
            let strict = try run("slad", ["check-config", "--strict", "--config", file.path])
            #expect(strict.status == 2)
            #expect(strict.stdout.isEmpty)
            #expect(strict.stderrLines.count == result.stderrLines.count)
            #expect(strict.stderrLines.allSatisfy { !$0.contains(": warning: ") })
            #expect(try run("slad", ["check-config", "--strict", "--config", "config/slad.yaml"]).status == 0)
        }

        @Test("check-config prints every error as file:line:column and exits 2")
        func checkBadConfig() throws {
            let file = try temporaryFile(
                """
                calendars:
                  office: {timezone: Mars/Olympus, hours: {mon-fri: ["18:00-08:00"]}}
                priorities:
                  levels: [P1]
                agreements:
                  - {name: gold, kind: sla, calendar: ofice, targets: {P1: {response: 1d}}}
                lines: []
                """, suffix: ".yaml")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try run("slad", ["check-config", "--config", file.path])
            #expect(result.status == 2)
            #expect(result.stdout.isEmpty)
            let lines = result.stderrLines
            #expect(lines.count >= 5, "\(lines)")
            for line in lines {
                #expect(line.hasPrefix(file.path + ":"), "\(line)")
                let position = line.dropFirst(file.path.count + 1).split(separator: ":", maxSplits: 2)
                #expect(position.count == 3 && Int(position[0]) != nil && Int(position[1]) != nil, "\(line)")
            }
            #expect(lines.contains { $0.contains(":2:") && $0.contains("Mars/Olympus") })
            #expect(lines.contains { $0.contains(":6:") && $0.contains("ofice") })
            #expect(lines.contains { $0.contains("days are not accepted") })
            #expect(lines.contains { $0.contains(":7:") && $0.contains("four") })
        }

        @Test("a missing configuration file is a diagnostic, not a crash")
        func missingConfig() throws {
            let result = try run("slad", ["check-config", "--config", "/nonexistent/slad.yaml"])
            #expect(result.status == 2)
            #expect(result.stderr.hasPrefix("/nonexistent/slad.yaml:1:1: "))
        }

        @Test("replay of the example incident prints the timeline in at order")
        func replayExample() throws {
            let result = try run("slad", ["replay", "--config", "config/slad.yaml", "config/examples/incident.jsonl"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.isEmpty)
            let records = try jsonObjects(result.stdoutLines)
            let instants = records.compactMap { $0["at"] as? String }
            #expect(instants.count == records.count)
            #expect(instants == instants.sorted(), "ordered by at (UTC strings sort as instants)")
            // The service desk's OLA (15 minutes, office hours) runs out and line 2 takes over.
            #expect(result.stdoutLines.contains(
                #"{"at":"2026-03-02T08:15:00Z","ticket":"INC-1001","kind":"escalate","type":"functional","from":1,"to":2,"reason":"expired"}"#))
            // Opened Friday 17:30 in Berlin, the P3 request's 4h response is due Monday 11:30 local.
            #expect(result.stdoutLines.contains(
                #"{"at":"2026-03-06T16:30:00Z","ticket":"REQ-2001","kind":"due","clock":"response","agreement":"standard","due":"2026-03-09T10:30:00Z"}"#))
            #expect(result.stdoutLines.contains(
                #"{"at":"2026-03-02T10:30:00Z","ticket":"INC-1001","kind":"escalate","type":"hierarchical","to":"vendor-manager","clock":"line","line":4,"percent":100}"#))
        }

        @Test("replay reads standard input with -, and --until runs the clocks on")
        func replayStdin() throws {
            let events = try Data(contentsOf: packageRoot.appendingPathComponent("config/examples/incident.jsonl"))
            let piped = try run("slad", ["replay", "--config", "config/slad.yaml", "-"], stdin: events)
            let file = try run("slad", ["replay", "--config", "config/slad.yaml", "config/examples/incident.jsonl"])
            #expect(piped.status == 0)
            #expect(piped.stdout == file.stdout)
            let later = try run(
                "slad", ["replay", "--config", "config/slad.yaml", "--until", "2026-03-20T00:00:00Z", "-"], stdin: events)
            #expect(later.status == 0)
            #expect(later.stdoutLines.starts(with: file.stdoutLines))
            #expect(later.stdoutLines.contains { $0.contains(#""ticket":"REQ-2001","kind":"breach","clock":"resolution""#) })
            let earlier = try run(
                "slad", ["replay", "--config", "config/slad.yaml", "--until", "2026-03-02T09:00:00Z", "-"], stdin: events)
            #expect(earlier.status == 0)
            #expect(earlier.stderr == "slad: 7 event(s) after --until were not applied\n")
            #expect(earlier.stdoutLines.allSatisfy { $0.hasPrefix(#"{"at":"2026-03-02T0"#) })
        }

        @Test("replay skips malformed and refused lines, names them, and exits 1")
        func replayBadLines() throws {
            let file = try temporaryFile(
                """
                {"at":"2026-03-02T09:00:00+01:00","ticket":"INC-1","event":"open","priority":"P1"}
                {"at":"2026-03-02T09:05:00+01:00","ticket":"INC-1","event":"respond"
                {"at":"2026-03-02T09:06:00+01:00","ticket":"INC-2","event":"resolve"}
                {"at":"2026-03-02T09:07:00+01:00","ticket":"INC-1","event":"respond"}
                """, suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try run("slad", ["replay", "--config", "config/slad.yaml", file.path])
            #expect(result.status == 1)
            #expect(result.stderrLines == [
                "\(file.path):2: not valid JSON",
                "\(file.path):3: ticket INC-2 is not open",
                "slad: skipped 2 line(s)",
            ])
            #expect(result.stdoutLines.contains(
                #"{"at":"2026-03-02T08:07:00Z","ticket":"INC-1","kind":"met","clock":"response","agreement":"standard"}"#))
        }

        @Test("replay names an unreadable events file (exit 66) and a bad --until (exit 64)")
        func replayUsage() throws {
            let missing = try run("slad", ["replay", "--config", "config/slad.yaml", "/nonexistent.jsonl"])
            #expect(missing.status == 66)
            #expect(missing.stderr.contains("cannot read /nonexistent.jsonl"))
            let badUntil = try run("slad", ["replay", "--config", "config/slad.yaml", "--until", "soon", "-"], stdin: Data())
            #expect(badUntil.status == 64)
            #expect(badUntil.stderr.contains("--until"))
        }

        @Test("slactl answers --version and --help")
        func slactl() throws {
            let version = try run("slactl", ["--version"])
            #expect(version.status == 0)
            #expect(version.stdout == "0.2.0\n", "slactl reports the one version, slad's")
            let help = try run("slactl", ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Control slad"))
        }
    }
}
