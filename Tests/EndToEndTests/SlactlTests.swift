import Foundation
import SLAContract
import SLAControl
import SLAJSON
import Testing

/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("slactl against a real slad: global options, escaped output, long histories", .serialized, .tags(.endToEnd))
    struct SlactlTests {
        @Test(
            "--socket and --json go before or after the subcommand (as systemctl and varlinkctl take them)",
            arguments: [
                ["--socket", "PATH", "status"], ["--socket=PATH", "status"], ["status", "--socket", "PATH"],
                ["--json", "--socket", "PATH", "list", "--limit", "1"], ["--socket", "PATH", "open", "G-1", "--priority", "P2"],
            ])
        func globalOptionsFirst(_ arguments: [String]) throws {
            let daemon = try RunningDaemon()
            let result = try run("slactl", arguments.map { $0.replacingOccurrences(of: "PATH", with: daemon.socketPath) })
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            if arguments.contains("--json") { #expect(result.stdout.hasPrefix(#"{"tickets":"#)) }
            // The option is used, not merely accepted: a socket nobody serves is unreachable.
            let missing = try run("slactl", arguments.map { $0.replacingOccurrences(of: "PATH", with: "/nonexistent/s") })
            #expect(missing.status == ControlExitStatus.unreachable, "\(arguments): \(missing.stderr)")
            #expect(missing.stderr.contains("/nonexistent/s"))
        }

        @Test("control characters in names are refused (InvalidEvent); slactl's sentences quote them escaped")
        func escapedOutput() throws {
            let daemon = try RunningDaemon()
            let hostile = "mail\u{1B}]0;owned\u{07}\u{1B}[2J\rX"
            func expectNoControls(_ text: String, _ what: String) {
                let controls = text.unicodeScalars.filter {
                    $0 != "\n" && ($0.value < 0x20 || (0x7F...0x9F).contains($0.value))
                }
                #expect(controls.isEmpty, "\(what) printed control characters: \(text.debugDescription)")
            }
            let opened = try daemon.slactl(["open", "E-1", "--priority", "P2", "--service", hostile, "--customer", "acme"])
            #expect(opened.status != 0)
            #expect(opened.stderr.contains("\"service\" holds the control character U+001B"), "\(opened.stderr)")
            expectNoControls(opened.stderr + opened.stdout, "open")
            #expect(try daemon.slactl(["open", "E-1", "--priority", "P2", "--service", "mail"]).status == 0)
            let paused = try daemon.slactl(["pause", "E-1", "--reason", "a\u{9B}b\rc"])
            #expect(paused.status != 0)
            expectNoControls(paused.stderr + paused.stdout, "pause")
            for command in [["show", "E-1"], ["list"], ["status"]] {
                let result = try daemon.slactl(command)
                #expect(result.status == 0, "\(command): \(result.stderr)")
                expectNoControls(result.stdout, "\(command)")
            }
            // A refusal that quotes the input is escaped too.
            let refused = try daemon.slactl(["show", "E-\u{1B}[2J"])
            #expect(refused.status == ControlExitStatus.notFound)
            #expect(refused.stderr.contains(#"E-\x1b[2J"#), "\(refused.stderr)")
        }

        @Test("GetTicket says how much of a long history it left out, pages through it with skip, and show reads it all")
        func longHistory() throws {
            let daemon = try RunningDaemon()
            let client = try daemon.client()
            let events = 10_001 + 2 * 1_300  // an open, then pause/resume pairs: past one page of 10,000
            var batch: [JSONValue] = [["ticket": "H-1", "event": "open", "priority": "P3"]]
            for n in 0..<((events - 1) / 2) {
                batch.append(["ticket": "H-1", "event": "pause", "reason": .string("waiting-\(n)")])
                batch.append(["ticket": "H-1", "event": "resume"])
            }
            for chunk in stride(from: 0, to: batch.count, by: 1_000) {
                _ = try client.call(
                    SlaInterface.Submit.qualifiedName, ["events": .array(Array(batch[chunk..<min(chunk + 1_000, batch.count)]))])
            }
            let control = SlaControl(client: client)
            let first = try control.ticket("H-1").value
            #expect(first.ticket.events.count == SlaInterface.GetTicket.historyPage)
            #expect(first.truncated == batch.count - SlaInterface.GetTicket.historyPage)
            #expect(first.ticket.events.last?.reason == nil, "the newest page: it ends with the last resume")
            let second = try control.ticket("H-1", skip: SlaInterface.GetTicket.historyPage).value
            #expect(second.truncated == nil)
            #expect(second.ticket.events.count == batch.count - SlaInterface.GetTicket.historyPage)
            #expect(second.ticket.events.first?.event == "open")

            let shown = try daemon.slactl(["show", "H-1", "--json"])
            #expect(shown.status == 0, "\(shown.stderr)")
            let whole = try SlaInterface.GetTicket.Reply(value: try JSONValue.decode(shown.stdout))
            #expect(whole.truncated == nil)
            #expect(whole.ticket.events.count == batch.count)
            #expect(whole.ticket.events.map(\.reason) == batch.map { $0["reason"]?.string })
            let people = try daemon.slactl(["show", "H-1"])
            #expect(people.stdout.contains("event     open P3"))
            #expect(people.stdout.contains("waiting-1299"))
        }
    }
}
