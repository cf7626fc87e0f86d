import Foundation
import Logging
import SLASystemd
import Testing

@Suite("Journal entries, the writer's bounded backlog and the swift-log handler")
struct JournalTests {
    @Test(
        "metadata keys become valid journal field names",
        arguments: [
            ("SLAD_TICKET", "SLAD_TICKET"), ("late", "LATE"), ("config-path", "CONFIG_PATH"),
            ("_SYSTEMD_UNIT", "SYSTEMD_UNIT"), ("__x", "X"), ("9lives", "F_9LIVES"), ("", "F_"),
            ("ünïcode", "N__CODE"), ("a.b c", "A_B_C"),
            (String(repeating: "k", count: 80), String(repeating: "K", count: 64)),
        ])
    func fieldNames(key: String, expected: String) {
        let name = JournalEntry.fieldName(key)
        #expect(name == expected)
        #expect(name.utf8.allSatisfy { (65...90).contains($0) || (48...57).contains($0) || $0 == 95 })
        #expect(!name.hasPrefix("_"))
    }

    @Test("the writer never blocks: a full backlog drops and counts, refusals are counted with errno")
    func boundedBacklog() throws {
        let gate = Gate()
        let sending = Gate()
        let writer = JournalWriter(capacity: 3) { entry throws(SystemdError) in
            sending.open()
            gate.wait()
            if entry.value(of: "MESSAGE") == "refused" {
                throw SystemdError(call: "sd_journal_sendv", errno: ECONNREFUSED)
            }
        }
        // The writer thread takes the first entry and blocks in send, as on a stuck journald.
        #expect(writer.submit(JournalEntry(message: "first", priority: 6)))
        sending.wait()
        let started = Date()
        let accepted = (0..<10).filter { writer.submit(JournalEntry(message: $0 == 0 ? "refused" : "x", priority: 6)) }
        #expect(Date().timeIntervalSince(started) < 1, "submit waited for a blocked journal")
        #expect(accepted == [0, 1, 2])
        #expect(writer.statistics.dropped == 7)
        gate.open()
        #expect(writer.flush(timeout: 10))
        let stats = writer.statistics
        #expect(stats.written == 3)
        #expect(stats.failed == 1)
        #expect(stats.lastError?.errno == ECONNREFUSED)
        writer.close()
    }

    @Test("journald refusing is counted with its errno, never thrown")
    func refusalsCounted() {
        let writer = JournalWriter { _ throws(SystemdError) in
            throw SystemdError(call: "sd_journal_sendv", errno: ECONNREFUSED)
        }
        for _ in 0..<5 { writer.submit(JournalEntry(message: "m", priority: 3)) }
        #expect(writer.flush(timeout: 10))
        #expect(writer.statistics.failed == 5)
        #expect(writer.statistics.lastError?.errno == ECONNREFUSED)
        #expect(writer.statistics.lastError?.description.contains("Connection refused") == true)
    }

    @Test("the handler maps levels to PRIORITY and metadata to sanitised fields; copies are independent")
    func handler() {
        let writer = JournalWriter { _ throws(SystemdError) in }
        var handler = JournalLogHandler(label: "slad", writer: writer)
        handler[metadataKey: "unit-id"] = "x"
        var copy = handler
        copy.logLevel = .critical
        copy[metadataKey: "unit-id"] = "y"
        #expect(handler.logLevel == .info)
        let event = LogEvent(
            level: .warning, message: "line one\nline two",
            metadata: ["MESSAGE_ID": "abc", "late": "3", "PRIORITY": "0"],
            source: nil, file: "F.swift", function: "f()", line: 7)
        let entry = handler.entry(for: event)
        #expect(entry.value(of: "MESSAGE") == "line one\nline two")
        #expect(entry.value(of: "PRIORITY") == "4")
        #expect(entry.value(of: "MESSAGE_ID") == "abc")
        #expect(entry.value(of: "LATE") == "3")
        #expect(entry.value(of: "UNIT_ID") == "x")
        #expect(copy.entry(for: event).value(of: "UNIT_ID") == "y")
        #expect(entry.fields.filter { $0.name == "PRIORITY" }.count == 1)
        #expect(entry.value(of: "CODE_LINE") == "7")
        #expect(JournalLogHandler.priority(of: .critical) == 2)
        #expect(JournalLogHandler.priority(of: .debug) == 7)
    }
}

/// Blocks the writer thread until the test opens it.
final class Gate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isOpen = false

    func wait() {
        condition.lock()
        while !isOpen { condition.wait() }
        condition.unlock()
    }

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }
}
