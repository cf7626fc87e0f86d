import Foundation
import Testing

/// `slad report`, the built binary, over the hand-worked data set (Tests/ReportFixtures).
/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("slad report")
    struct ReportCommandTests {
        static let fixtures = packageRoot.appendingPathComponent("Tests/ReportFixtures").path
        static let config = fixtures + "/hand-worked.yaml"
        static let events = fixtures + "/hand-worked.jsonl"
        static let days = ["--since", "2026-10-24", "--until", "2026-10-27", "--by", "day", "--timezone", "Europe/Berlin"]

        @Test("CSV: RFC 4180 with CRLF, the header in the documented order, one row a day")
        func csv() throws {
            let result = try run(
                "slad", ["report", "--config", Self.config, "--format", "csv"] + Self.days + [Self.events])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.components(separatedBy: "\r\n")
            #expect(lines.count == 5 && lines[4].isEmpty)
            #expect(lines[0].hasPrefix("period,response_met_pct,resolution_met_pct,ola_met_pct_line1,ola_met_pct_line2,"))
            #expect(lines[1].hasPrefix("2026-10-24,87.5,93.33,81.25,75,50,100,,,40,73.33,6.67,16,15,3,2,1,5,5,2,1,1,"))
            #expect(lines[2].hasPrefix("2026-10-25,50,100,100,0,0,100,,,,66.67,0,2,3,0,1,0,2,0,1,1,0,"))
        }

        @Test("JSON: since, until, by, group and timezone beside the rows; --output writes the file")
        func json() throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "slad-report-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try run(
                "slad",
                [
                    "report", "--config", Self.config, "--format", "json", "--group", "agreement,priority", "--output",
                    file.path,
                ]
                    + Self.days + [Self.events])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.isEmpty)
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
            #expect(object["since"] as? String == "2026-10-24")
            #expect(object["until"] as? String == "2026-10-27")
            #expect(object["by"] as? String == "day")
            #expect(object["group"] as? [String] == ["agreement", "priority"])
            #expect(object["timezone"] as? String == "Europe/Berlin")
            let rows = object["rows"] as! [[String: Any]]
            let p1 = rows.first {
                $0["period"] as? String == "2026-10-24" && $0["priority"] as? String == "P1"
                    && $0["agreement"] as? String == "std"
            }!
            #expect(p1["resolution_met_pct"] as? Double == 50)
            #expect(p1["objective_pct"] as? Int == 90)
            #expect(p1["objective_met"] as? Bool == false)
        }

        @Test("--compare: each figure under both configurations and the change")
        func compare() throws {
            let old = try String(contentsOfFile: Self.config, encoding: .utf8)
            // P1 gets 8 hours: T07's resolution (7 h) is met under the new agreement.
            let new = old.replacingOccurrences(
                of: "P1: {response: 15m, resolution: 4h", with: "P1: {response: 15m, resolution: 8h")
            #expect(new != old)
            let file = try temporaryFile(new, suffix: ".yaml")
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try run(
                "slad",
                ["report", "--config", file.path, "--compare", Self.config, "--format", "csv"] + Self.days + [Self.events])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.components(separatedBy: "\r\n")
            #expect(
                lines[0].hasPrefix(
                    "period,response_met_pct,response_met_pct_old,response_met_pct_change,resolution_met_pct,"
                        + "resolution_met_pct_old,resolution_met_pct_change,"))
            #expect(lines[1].hasPrefix("2026-10-24,87.5,87.5,0,100,93.33,6.67,"))
        }

        @Test("bad options are refused with a sentence, exit 64; a refused event is reported, exit 1")
        func refusals() throws {
            let by = try run("slad", ["report", "--config", Self.config, "--by", "year", Self.events])
            #expect(by.status == 64)
            #expect(by.stderr.contains("--by \"year\" is not a period; write day, week or month"))
            let group = try run("slad", ["report", "--config", Self.config, "--group", "colour", Self.events])
            #expect(group.status == 64)
            #expect(group.stderr.contains("--group \"colour\" is not a dimension"))
            let since = try run("slad", ["report", "--config", Self.config, "--since", "2026-13-01", Self.events])
            #expect(since.status == 64)
            #expect(since.stderr.contains("--since \"2026-13-01\" is not a date"))
            let bad = try temporaryFile(
                "{\"at\":\"2026-10-24T08:00:00Z\",\"ticket\":\"X\",\"event\":\"respond\"}\n", suffix: ".jsonl")
            defer { try? FileManager.default.removeItem(at: bad) }
            let refused = try run("slad", ["report", "--config", Self.config, "--timezone", "UTC", bad.path])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains(bad.path + ":1: ticket X is not open"))
        }
    }
}
