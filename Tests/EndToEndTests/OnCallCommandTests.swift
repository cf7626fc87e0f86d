import Foundation
import Testing

/// `slad oncall` and the on-call warnings of `slad check-config`, run as the built binary.
/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("slad oncall and check-config warnings", .tags(.endToEnd))
    struct OnCallCommandTests {
        @Test("slad oncall prints the final schedule as JSON Lines: layers, an override, the fallback, a gap")
        func offlineSchedule() throws {
            let overrides = try temporaryFile(
                """
                {"id":"ov-3","team":"desk","person":"bob","start":"2026-12-07T12:00:00Z","end":"2026-12-07T20:00:00Z"}
                {"id":"ov-4","team":"operations","person":"bob","start":"2026-12-07T12:00:00Z","end":"2026-12-07T20:00:00Z"}

                """, suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(at: overrides) }
            let week = try run(
                "slad",
                [
                    "oncall", "--config", "config/slad.yaml", "--team", "desk", "--from", "2026-12-07T00:00:00Z",
                    "--until", "2026-12-08T07:00:00Z", "--overrides", overrides.path,
                ])
            #expect(week.status == 0, "\(week.stderr)")
            #expect(
                week.stdoutLines == [
                    #"{"team":"desk","person":"dave","layer":"nights","start":"2026-12-07T00:00:00Z","end":"2026-12-07T07:00:00Z"}"#,
                    #"{"team":"desk","person":"alice","layer":"business-hours","start":"2026-12-07T07:00:00Z","end":"2026-12-07T08:00:00Z"}"#,
                    #"{"team":"desk","person":"bob","layer":"business-hours","start":"2026-12-07T08:00:00Z","end":"2026-12-07T12:00:00Z"}"#,
                    #"{"team":"desk","person":"bob","override":"ov-3","start":"2026-12-07T12:00:00Z","end":"2026-12-07T20:00:00Z"}"#,
                    #"{"team":"desk","person":"erin","layer":"nights","start":"2026-12-07T20:00:00Z","end":"2026-12-08T07:00:00Z"}"#,
                ])
            // Before the layers start (09:00 and 18:00 Berlin on 2026-11-30), the fallback holds.
            let first = try run(
                "slad",
                [
                    "oncall", "--config", "config/slad.yaml", "--team", "desk", "--from", "2026-11-30T06:00:00Z",
                    "--until", "2026-11-30T09:00:00Z",
                ])
            #expect(
                first.stdoutLines == [
                    #"{"team":"desk","person":"carol","layer":null,"start":"2026-11-30T06:00:00Z","end":"2026-11-30T08:00:00Z"}"#,
                    #"{"team":"desk","person":"alice","layer":"business-hours","start":"2026-11-30T08:00:00Z","end":"2026-11-30T09:00:00Z"}"#,
                ])
            let gap = try run(
                "slad",
                [
                    "oncall", "--config", "config/slad.yaml", "--team", "duty-manager", "--from",
                    "2026-11-30T07:00:00Z", "--until", "2026-11-30T09:00:00Z",
                ])
            #expect(
                gap.stdoutLines == [
                    #"{"team":"duty-manager","person":null,"start":"2026-11-30T07:00:00Z","end":"2026-11-30T08:00:00Z"}"#,
                    #"{"team":"duty-manager","person":"frank","layer":"managers","start":"2026-11-30T08:00:00Z","end":"2026-11-30T09:00:00Z"}"#,
                ])
        }

        @Test("slad oncall refuses an unknown team and a bad overrides line")
        func refusals() throws {
            let unknown = try run(
                "slad",
                [
                    "oncall", "--config", "config/slad.yaml", "--team", "dsk", "--from", "2026-12-07T00:00:00Z",
                    "--until", "2026-12-08T00:00:00Z",
                ])
            #expect(unknown.status == 64)
            #expect(unknown.stderr.contains("unknown team \"dsk\"; defined teams are desk, operations"))
            let bad = try temporaryFile("{\"id\":\"ov-1\",\"team\":\"desk\"}\n", suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(at: bad) }
            let refused = try run(
                "slad",
                [
                    "oncall", "--config", "config/slad.yaml", "--team", "desk", "--from", "2026-12-07T00:00:00Z",
                    "--until", "2026-12-08T00:00:00Z", "--overrides", bad.path,
                ])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("line 1: not an override"))
        }

        @Test("check-config warns of on-call gaps and a line without a team, and still exits 0")
        func warnings() throws {
            var yaml = try String(contentsOfFile: "config/slad.yaml", encoding: .utf8)
            // Without the nights layer and the fallback, the desk is on call in office hours only.
            let nights = """
                      - name: nights
                        members: [dave, erin]
                        every: 1d
                        start: "2026-11-30 18:00"
                        active: {mon-sun: ["18:00-24:00", "00:00-08:00"]}

                """
            #expect(yaml.contains(nights))
            yaml = yaml.replacingOccurrences(of: nights, with: "").replacingOccurrences(of: "    fallback: carol\n", with: "")
                .replacingOccurrences(of: ", team: development}", with: "}")
            let file = try temporaryFile(yaml, suffix: ".yaml")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try run("slad", ["check-config", "--config", file.path])
            #expect(result.status == 0, "\(result.stderr)")
            // The summary line, then the tzdata release.
            #expect(result.stdoutLines.count == 2, "\(result.stdoutLines)")
            let warnings = result.stderrLines
            #expect(warnings.count == 2, "\(warnings)")
            #expect(warnings.allSatisfy { $0.hasPrefix(file.path + ":") && $0.contains(": warning: ") })
            #expect(warnings.contains { $0.contains(": warning: line 3 has no team") })
            #expect(warnings.contains { $0.contains(": warning: nobody is on call for team \"desk\" in ") })
        }
    }
}
