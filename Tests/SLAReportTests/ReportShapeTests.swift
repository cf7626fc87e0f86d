import Foundation
import SLAConfig
import SLACore
import SLAReport
import SLATestKit
import Testing

@Suite struct ReportCalendarTests {
    /// A zone that springs forward at midnight (as Havana does): 00:00 local never happens, so the
    /// day starts at the first instant after the gap, 01:00 at the new offset.
    @Test func aMidnightInAGapIsTheFirstInstantAfterIt() {
        let day = ReportCalendar.day(of: "2026-03-08")!
        let jump = day * 86_400 + 5 * 3600  // 00:00 at -05:00
        let zone = ZoneRules(name: "Test/Gap", initialOffset: -5 * 3600, changes: [(at: jump, offset: -4 * 3600)])
        let calendar = ReportCalendar(zone: zone)
        #expect(calendar.midnight(ofDay: day).secondsSince1970 == jump)
        #expect(calendar.midnight(ofDay: day - 1).secondsSince1970 == (day - 1) * 86_400 + 5 * 3600)
        #expect(calendar.midnight(ofDay: day + 1).secondsSince1970 == (day + 1) * 86_400 + 4 * 3600)
    }

    /// A zone that falls back across midnight: 00:00 happens twice; the day starts at the first.
    @Test func aMidnightInAFoldIsItsFirstOccurrence() {
        let day = ReportCalendar.day(of: "2026-04-05")!
        let back = day * 86_400 + 3 * 3600 + 1800  // 00:30 at -03:00 goes back to 23:30 at -04:00
        let zone = ZoneRules(name: "Test/Fold", initialOffset: -3 * 3600, changes: [(at: back, offset: -4 * 3600)])
        #expect(ReportCalendar(zone: zone).midnight(ofDay: day).secondsSince1970 == day * 86_400 + 3 * 3600)
    }

    /// Berlin's midnights around the end of summer time: 25 hours in the 25th.
    @Test func berlinDaysAroundTheChange() {
        let calendar = ReportCalendar(zone: TestZones.system("Europe/Berlin"))
        let day = ReportCalendar.day(of: "2026-10-25")!
        #expect(Timestamp.format(calendar.midnight(ofDay: day)) == "2026-10-24T22:00:00Z")
        #expect(Timestamp.format(calendar.midnight(ofDay: day + 1)) == "2026-10-25T23:00:00Z")
        #expect(calendar.localDay(of: Timestamp.parse("2026-10-25T22:59:59Z")!) == day)
        #expect(calendar.localDay(of: Timestamp.parse("2026-10-25T23:00:00Z")!) == day + 1)
    }

    @Test(arguments: [
        (ReportPeriod.week, "2026-10-01", "2026-10-20", ["2026-10-01", "2026-10-05", "2026-10-12", "2026-10-19"]),
        (ReportPeriod.month, "2026-11-15", "2027-02-01", ["2026-11-15", "2026-12-01", "2027-01-01"]),
        (ReportPeriod.day, "2026-12-31", "2027-01-02", ["2026-12-31", "2027-01-01"]),
    ])
    func periodsStartOnMondaysAndFirsts(by: ReportPeriod, since: String, until: String, expected: [String]) {
        let calendar = ReportCalendar(zone: .utc)
        let days = calendar.periods(
            since: ReportCalendar.day(of: since)!, until: ReportCalendar.day(of: until)!, by: by)
        #expect(days.map(ReportCalendar.text(ofDay:)) == expected)
    }

    @Test(arguments: ["2026-02-30", "2026-1-01", "26-01-01", "2026-01-01T00:00", ""])
    func badDaysAreRefused(text: String) {
        #expect(ReportCalendar.day(of: text) == nil)
    }
}

@Suite struct ReportFormatTests {
    /// The header is `period`, the groups in the order given, then the figures in the documented
    /// order; CRLF ends lines; empty cells for figures without cases; a customer with a comma or a
    /// quote is quoted, its quotes doubled (RFC 4180).
    @Test func csvFollowsRFC4180() {
        let report = HandWorked.report(group: [.customer, .priority])
        let csv = report.csv()
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines.last == "")
        #expect(lines[0].hasPrefix("period,customer,priority,response_met_pct,resolution_met_pct,ola_met_pct_line1,"))
        #expect(lines[0].hasSuffix(",backlog_line4,backlog_age_median_s"))
        #expect(lines[0].split(separator: ",").count == 3 + ReportFigure.allCases.count)
        #expect(!csv.contains("%"))
        // acme's P2 tickets of the first day: T05, T06, T12 responded in time.
        #expect(lines.contains { $0.hasPrefix("2026-10-24,acme,P2,100,100,") })
        // globex's P1 of the first day: T07 (every line breached but the vendor's) and T08 from 13:00 (its
        // line 1 breached, line 2 met, resolution met): response T07 met, resolution 1 of 2, line 1 none of
        // 2, line 2 one of 2, line 3 none, line 4 met; no objective without the agreement.
        #expect(lines.contains { $0.hasPrefix("2026-10-24,globex,P1,100,50,0,50,0,100,,,") })
        #expect(ReportCalendarTests.quoted("a,b") == "\"a,b\"")
        #expect(ReportCalendarTests.quoted("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(ReportCalendarTests.quoted("plain") == "plain")
    }

    /// since, until, by, group and timezone beside the rows; null for a figure without cases;
    /// numbers unformatted; the line a number.
    @Test func jsonCarriesTheRequestBesideTheRows() throws {
        let report = HandWorked.report(group: [.line])
        let json = report.json()
        #expect(
            json.hasPrefix(
                "{\"since\":\"2026-10-24\",\"until\":\"2026-10-27\",\"by\":\"day\",\"group\":[\"line\"],"
                    + "\"timezone\":\"Europe/Berlin\",\"rows\":[{\"period\":\"2026-10-24\",\"line\":1,"
                    + "\"response_met_pct\":"
            ))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let rows = object["rows"] as! [[String: Any]]
        let first = rows[0]
        #expect(first.keys.count == 2 + ReportFigure.allCases.count)
        #expect(first["objective_pct"] is NSNull)
        #expect(report.json() == json, "the same facts give the same bytes")
    }

    @Test func tableAlignsColumns() {
        let table = HandWorked.report().table().split(separator: "\n")
        #expect(table.count == 4)
        #expect(table[0].hasPrefix("period      response_met_pct"))
        #expect(table[1].hasPrefix("2026-10-24"))
        #expect(table[3].contains(" - "), "a figure without cases shows -")
    }
}

extension ReportCalendarTests {
    static func quoted(_ text: String) -> String {
        ReportGrid.csvField(text)
    }
}

@Suite struct ObjectiveConfigTests {
    /// `objective` on an agreement and on a target; a target's own wins at its priority.
    @Test func objectivesAreRead() throws {
        let configuration = try ConfigLoader.parse(yaml: HandWorked.yaml, file: "hand.yaml").get()
        let std = configuration.agreements[0]
        #expect(std.objective == 80)
        #expect(std.objective(priority: 0) == 90)
        #expect(std.objective(priority: 1) == 80)
        #expect(configuration.agreements[1].objective == nil)
    }

    /// A bad objective is an error at its place, with a sentence.
    @Test(arguments: [
        (
            "objective: 80%", "objective: 120%",
            "hand.yaml:9:16: the objective of agreement \"std\" 120% is out of range"
        ),
        ("objective: 90%}", "objective: lots}", "hand.yaml:11:54: the objective of the P1 target of agreement"),
    ])
    func badObjectivesAreErrorsAtTheirPlace(original: String, replacement: String, message: String) {
        let yaml = HandWorked.yaml.replacingOccurrences(of: original, with: replacement)
        guard case .failure(let errors) = ConfigLoader.parse(yaml: yaml, file: "hand.yaml") else {
            Issue.record("accepted \(replacement)")
            return
        }
        #expect(errors.description.contains(message), "\(errors)")
    }
}
