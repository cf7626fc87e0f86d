import Foundation
import Testing

@testable import SLAMetrics

@Suite("Exposition formats")
struct ExpositionTests {
    @Test(
        "Accept negotiation",
        arguments: [
            (nil, ExpositionFormat.text),
            ("text/plain", .text),
            ("*/*", .text),
            ("application/openmetrics-text", .openMetrics),
            // What Prometheus 2.42 sends.
            (
                "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                    + "text/plain;version=0.0.4;q=0.5,*/*;q=0.1", .openMetrics
            ),
            ("text/plain;q=0.9, application/openmetrics-text;q=0.5", .text),
            ("application/openmetrics-text;version=2.0.0", .text),
            ("application/json", .text),
        ] as [(String?, ExpositionFormat)])
    func negotiate(accept: String?, expected: ExpositionFormat) {
        #expect(ExpositionFormat.negotiate(accept: accept) == expected)
    }

    static let registryText = """
        # TYPE b_total counter
        b_total{x="2"} 1
        b_total{x="1"} 2
        # TYPE a_seconds histogram
        a_seconds_bucket{le="1.0"} 1
        a_seconds_bucket{le="+Inf"} 1
        a_seconds_sum 0.5
        a_seconds_count 1

        """

    @Test("text: families sorted, help added, series sorted, histogram lines kept in order")
    func text() {
        let out = String(
            decoding: Exposition.render(
                Array(Self.registryText.utf8), format: .text, help: ["b_total": "B things.", "a_seconds": "A \\ time."]),
            as: UTF8.self)
        #expect(
            out == """
                # HELP a_seconds A \\\\ time.
                # TYPE a_seconds histogram
                a_seconds_bucket{le="1.0"} 1
                a_seconds_bucket{le="+Inf"} 1
                a_seconds_sum 0.5
                a_seconds_count 1
                # HELP b_total B things.
                # TYPE b_total counter
                b_total{x="1"} 2
                b_total{x="2"} 1

                """)
    }

    @Test("OpenMetrics: a counter's family drops _total, its samples keep it; # EOF ends it")
    func openMetrics() {
        let out = String(
            decoding: Exposition.render(Array(Self.registryText.utf8), format: .openMetrics, help: ["b_total": "B \"x\"."]),
            as: UTF8.self)
        #expect(out.contains("# HELP b B \\\"x\\\".\n# TYPE b counter\nb_total{x=\"1\"} 2\n"))
        #expect(out.hasSuffix("# EOF\n"))
    }

    @Test("process figures from /proc/self/stat text, a command name with spaces and parentheses included")
    func processStat() throws {
        // Fields 3.. of proc(5): utime 14 = 250 ticks, stime 15 = 50, starttime 22 = 1000, rss 24 = 100 pages.
        var fields = [String](repeating: "0", count: 50)
        fields[14 - 3] = "250"
        fields[15 - 3] = "50"
        fields[22 - 3] = "1000"
        fields[24 - 3] = "100"
        let stat = "4242 (sla d) (x)) " + fields.joined(separator: " ")
        let sample = try #require(
            ProcessSample.read(stat: stat, systemStat: "cpu 1 2 3\nbtime 1700000000\n", openFileDescriptors: 7))
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        #expect(sample.cpuSeconds == 300 / ticks)
        #expect(sample.startTimeSeconds == 1_700_000_000 + 1000 / ticks)
        #expect(sample.residentMemoryBytes == 100 * Double(sysconf(Int32(_SC_PAGESIZE))))
        #expect(sample.openFileDescriptors == 7)
        #expect(ProcessSample.read(stat: "garbage", systemStat: "", openFileDescriptors: 1) == nil)
    }

    @Test("the live process reads: memory, start time and descriptors are plausible")
    func liveProcess() throws {
        let sample = try #require(ProcessSample.current())
        #expect(sample.residentMemoryBytes > 1_000_000)
        #expect(sample.openFileDescriptors >= 3)
        #expect(sample.startTimeSeconds > 1_600_000_000)
    }

    @Test("counting through swift-metrics reaches the registry's exposition")
    func counting() {
        let metrics = SladMetrics()
        metrics.countRecord(.breach, clock: .response)
        metrics.countBreach(agreement: "gold", clock: .response)
        metrics.countEscalation(type: "functional", to: "2")
        metrics.observeTimerLateness(seconds: 0.003)
        metrics.setJournal(.init(written: 5, dropped: 1, failed: 0))
        metrics.setJournal(.init(written: 7, dropped: 1, failed: 0))
        metrics.setTickets([.init(line: 1, priority: "P1", open: 3, breached: 1)])
        metrics.setTickets([.init(line: 2, priority: "P2", open: 1, breached: 0)])
        let text = String(decoding: metrics.exposition(.text), as: UTF8.self)
        #expect(text.contains("slad_records_total{kind=\"breach\",clock=\"response\"} 1\n"))
        #expect(text.contains("slad_records_total{kind=\"due\",clock=\"line\"} 0\n"))
        #expect(text.contains("slad_breaches_total{agreement=\"gold\",clock=\"response\"} 1\n"))
        #expect(text.contains("slad_escalations_total{type=\"functional\",to=\"2\"} 1\n"))
        #expect(text.contains("slad_timer_lateness_seconds_bucket{le=\"0.005\"} 1\n"))
        #expect(text.contains("slad_timer_lateness_seconds_bucket{le=\"0.0025\"} 0\n"))
        #expect(text.contains("slad_journal_records_total{result=\"written\"} 7\n"))
        #expect(text.contains("slad_open_tickets{line=\"2\",priority=\"P2\"} 1"))
        // A line and priority no longer counted is gone, not left at its last value.
        #expect(!text.contains("slad_open_tickets{line=\"1\",priority=\"P1\"}"))
        #expect(text.contains("# HELP slad_records_total Timeline records committed, by kind and clock.\n"))
    }
}
