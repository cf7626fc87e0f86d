import Foundation
import Testing

/// The HTML report as customers meet it: parsed by a real HTML parser (Python's html5lib, strict), shown by
/// headless Chromium (Debian's chromium) in a screenshot, its DOM as Chromium built it, and printed to PDF.
/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("slad report --format html", .serialized)
    struct ReportHTMLTests {
        static let checker = ReportCommandTests.fixtures + "/check_report_html.py"

        func page() throws -> URL {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent(
                "slad-report-\(UUID().uuidString).html")
            let result = try run(
                "slad",
                ["report", "--config", ReportCommandTests.config, "--format", "html", "--output", file.path]
                    + ReportCommandTests.days + [ReportCommandTests.events])
            #expect(result.status == 0, "\(result.stderr)")
            return file
        }

        @Test("html5lib parses it strictly; nothing loads from outside; three charts with their marks")
        func parses() throws {
            let file = try page()
            defer { try? FileManager.default.removeItem(at: file) }
            let result = try run("/usr/bin/env", ["python3", Self.checker, "parse", file.path])
            #expect(result.status == 0, "\(result.stderr)")
            // Resolution met: P1 on the 24th and 26th, P2 and P3 every day; objectives for P1 (90), P2, P3 (80).
            // Breaches: three bars on the 24th (lines 1, 2, 3), two on the 25th (lines 2, 3). Backlog: four lines
            // of three points.
            #expect(
                result.stdoutLines == [
                    "title Service level report 2026-10-24 to 2026-10-26",
                    "chart resolution_met_pct per period and priority marks 8 objectives 3",
                    "chart breaches_line per period and line marks 5 objectives 0",
                    "chart backlog per line at each period's end marks 12 objectives 0",
                ])
        }

        @Test("headless Chromium shows the figures and the charts, and prints the page on A4")
        func showsInChromium() throws {
            let file = try page()
            let folder = file.deletingLastPathComponent()
            let shot = folder.appendingPathComponent("slad-report-\(UUID().uuidString).png")
            let pdf = folder.appendingPathComponent("slad-report-\(UUID().uuidString).pdf")
            defer {
                for url in [file, shot, pdf] { try? FileManager.default.removeItem(at: url) }
            }
            let browser = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
            let screenshot = try run(
                "/usr/bin/env",
                ["timeout", "120", "chromium"] + browser + [
                    "--screenshot=\(shot.path)", "--window-size=794,1123", file.absoluteString,
                ])
            #expect(screenshot.status == 0, "\(screenshot.stderr)")
            let pixels = try run("/usr/bin/env", ["python3", Self.checker, "png", shot.path])
            #expect(pixels.status == 0, "\(pixels.stderr)")
            #expect(pixels.stdoutLines.first == "size 794 1123")
            // Not blank: text, table lines and charts colour some of the page, in many colours (anti-aliasing).
            let share = Double(pixels.stdoutLines[1].split(separator: " ")[1]) ?? 0
            let colours = Int(pixels.stdoutLines[2].split(separator: " ")[1]) ?? 0
            #expect(share > 0.03, "\(pixels.stdout)")
            #expect(colours > 20, "\(pixels.stdout)")

            let dom = try run(
                "/usr/bin/env", ["timeout", "120", "chromium"] + browser + ["--dump-dom", file.absoluteString])
            #expect(dom.status == 0, "\(dom.stderr)")
            #expect(dom.stdout.contains("<h1>Service level report 2026-10-24 to 2026-10-26</h1>"))
            #expect(dom.stdout.contains("Agreements: std, desk-ola, ops-ola, dev-ola, vendor-uc."))
            // The headline row of the first day: resolution 93.33 %, response 87.5 %, first time fix 73.33 %.
            #expect(dom.stdout.contains("<tr><td>2026-10-24</td><td>93.33</td><td>87.5</td><td>73.33</td><td>40</td>"))
            #expect(dom.stdout.contains("objective P1 90%"))
            #expect(dom.stdout.components(separatedBy: "<svg").count == 4)

            let printed = try run(
                "/usr/bin/env",
                ["timeout", "120", "chromium"] + browser + [
                    "--no-pdf-header-footer", "--print-to-pdf=\(pdf.path)", file.absoluteString,
                ])
            #expect(printed.status == 0, "\(printed.stderr)")
            let text = String(decoding: try Data(contentsOf: pdf).map { $0 < 0x80 ? $0 : 0x3F }, as: UTF8.self)
            // A4 is 595.28 x 841.89 points; Chromium writes it as 594.96 x 841.92.
            let boxes = text.components(separatedBy: "/MediaBox [").dropFirst().map {
                $0.prefix { $0 != "]" }.split(separator: " ").compactMap { Double($0) }
            }
            #expect(!boxes.isEmpty)
            for box in boxes {
                #expect(box.count == 4 && abs(box[2] - 595.28) < 1 && abs(box[3] - 841.89) < 1, "A4: \(box)")
            }
        }
    }
}
