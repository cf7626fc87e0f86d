import Foundation
import SLAControl
import SLAJSON
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// All lines of a reader.
func readAll(_ reader: EventLineReader) throws -> [EventLineReader.Line] {
    var lines: [EventLineReader.Line] = []
    while let line = try reader.next() { lines.append(line) }
    return lines
}

/// A line as (number, ticket) for events, (number, nil) for malformed lines.
func summary(_ line: EventLineReader.Line) -> (Int, String?) {
    switch line {
    case .event(let number, let object): return (number, object["ticket"]?.string)
    case .malformed(let number, _): return (number, nil)
    }
}

func event(_ ticket: String) -> String {
    #"{"at":"2026-03-02T09:00:00Z","ticket":"\#(ticket)","event":"respond"}"#
}

/// A fake Submit: applies a batch unless an event's ticket is in `refused`, then answers InvalidEvent with
/// the first such index, as slad does (nothing of the batch applied).
final class FakeSubmit {
    var refused: Set<String> = []
    var applied: [String] = []
    var batchSizes: [Int] = []
    var failAfter: Int?

    func submit(_ batch: [[String: JSONValue]]) throws -> Int {
        batchSizes.append(batch.count)
        if let failAfter, batchSizes.count > failAfter {
            throw ControlError.protocolViolation("slad closed the connection without answering io.slad.Sla.Submit")
        }
        let tickets = batch.map { $0["ticket"]?.string ?? "" }
        if let index = tickets.firstIndex(where: refused.contains) {
            throw ControlError.remote(
                name: "io.slad.Sla.InvalidEvent",
                parameters: ["index": .int(Int64(index)), "message": .string("unknown ticket \(tickets[index])")])
        }
        applied += tickets
        return batch.count
    }
}

@Suite("The submit file reader and the batched import")
struct EventImportTests {
    @Test("lines are numbered as in an editor: blank lines count, CRLF and a missing final newline are fine")
    func lineNumbers() throws {
        let text = "\(event("A"))\n\n   \n\(event("B"))\r\n\t\n\(event("C"))"
        let lines = try readAll(EventLineReader(data: Data(text.utf8)))
        #expect(lines.map { summary($0).0 } == [1, 4, 6])
        #expect(lines.map { summary($0).1 } == ["A", "B", "C"])
    }

    @Test("lines that are not JSON objects are reported with their number and why")
    func malformed() throws {
        let text = "\(event("A"))\n{\"ticket\":\n[1,2]\n\"text\"\n\(event("B"))\n"
        let lines = try readAll(EventLineReader(data: Data(text.utf8)))
        #expect(lines.map { summary($0).0 } == [1, 2, 3, 4, 5])
        guard case .malformed(_, let notJSON) = lines[1], case .malformed(_, let notObject) = lines[2] else {
            Issue.record("lines 2 and 3 should be malformed: \(lines)")
            return
        }
        #expect(notJSON == "not valid JSON")
        #expect(notObject.hasPrefix("an event is a JSON object"))
        #expect(summary(lines[3]).1 == nil)
        #expect(summary(lines[4]).1 == "B")
    }

    @Test("a file read through its descriptor in 64 KiB chunks splits no line, also across chunk boundaries")
    func chunkedFile() throws {
        let directory = try CannedPeer.temporaryDirectory()
        let path = directory + "/events.jsonl"
        defer {
            unlink(path)
            rmdir(directory)
        }
        let count = 3000  // about 200 KB: several chunks, lines cut at each boundary
        let text = (1...count).map { event("INC-\($0)") + ($0 % 100 == 0 ? "\n" : "") }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let descriptor = open(path, O_RDONLY)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let lines = try readAll(EventLineReader(fileDescriptor: descriptor))
        #expect(lines.count == count)
        #expect(lines.allSatisfy { summary($0).1 != nil })
        // Every 100th event is followed by a blank line, which shifts later numbers by one.
        let numbers = lines.map { summary($0).0 }
        let expected = (1...count).map { $0 + ($0 - 1) / 100 }
        #expect(
            numbers.elementsEqual(expected),
            "first difference at \(String(describing: zip(numbers, expected).first { $0 != $1 }))")
        #expect(lines.map { (summary($0).1 ?? "malformed") }.elementsEqual((1...count).map { "INC-\($0)" }))
    }

    @Test("a whole file goes in batches of the batch size, with the running total after each")
    func batches() throws {
        let text = (1...2500).map { event("INC-\($0)") }.joined(separator: "\n")
        let fake = FakeSubmit()
        var totals: [Int] = []
        let outcome = EventImport(batchSize: 1000).run(
            EventLineReader(data: Data(text.utf8)), submit: fake.submit, progress: { totals.append($0) })
        #expect(totals == [1000, 2000, 2500], "progress hears the running total after each batch")
        #expect(outcome.accepted == 2500)
        #expect(outcome.stop == nil)
        #expect(outcome.lastLine == 2500)
        #expect(fake.batchSizes == [1000, 1000, 500])
        #expect(fake.applied.count == 2500)
    }

    @Test("a refused event: the events before it are applied, none after, and its line is reported")
    func refused() throws {
        // One blank line after line 1000 shifts the refused event INC-1503 to line 1504.
        let lines = (1...2500).map { event("INC-\($0)") + ($0 == 1000 ? "\n" : "") }
        let fake = FakeSubmit()
        fake.refused = ["INC-1503"]
        let outcome = EventImport(batchSize: 1000).run(
            EventLineReader(data: Data(lines.joined(separator: "\n").utf8)), submit: fake.submit)
        #expect(outcome.accepted == 1502)
        guard case .refused(let line, let message)? = outcome.stop else {
            Issue.record("expected a refusal, got \(String(describing: outcome.stop))")
            return
        }
        #expect(line == 1504)
        #expect(message == "unknown ticket INC-1503")
        #expect(fake.batchSizes == [1000, 1000, 502], "the refused batch's first 502 events go again on their own")
        #expect(fake.applied.count == 1502)
        #expect(fake.applied.elementsEqual((1...1502).map { "INC-\($0)" }), "exactly the events before the refused one")
    }

    @Test("a refusal of the resent events moves the reported line further back")
    func refusedTwice() throws {
        let text = (1...10).map { event("INC-\($0)") }.joined(separator: "\n")
        let fake = FakeSubmit()
        fake.refused = ["INC-7", "INC-3"]
        let outcome = EventImport(batchSize: 10).run(EventLineReader(data: Data(text.utf8)), submit: fake.submit)
        guard case .refused(let line, _)? = outcome.stop else {
            Issue.record("expected a refusal")
            return
        }
        #expect(line == 3)
        #expect(outcome.accepted == 2)
        #expect(fake.batchSizes == [10, 2])
        #expect(fake.applied == ["INC-1", "INC-2"])
    }

    @Test("a malformed line stops the import after sending every event before it")
    func malformedStops() throws {
        let text = (1...6).map { event("INC-\($0)") }.joined(separator: "\n") + "\nnot json\n" + event("INC-8")
        let fake = FakeSubmit()
        let outcome = EventImport(batchSize: 4).run(EventLineReader(data: Data(text.utf8)), submit: fake.submit)
        guard case .malformed(let line, let message)? = outcome.stop else {
            Issue.record("expected a malformed line, got \(String(describing: outcome.stop))")
            return
        }
        #expect(line == 7)
        #expect(message == "not valid JSON")
        #expect(outcome.accepted == 6)
        #expect(fake.batchSizes == [4, 2])
        #expect(!fake.applied.contains("INC-8"))
    }

    @Test("a failed call stops the import with the first line of its batch")
    func failedCall() throws {
        let text = (1...25).map { event("INC-\($0)") }.joined(separator: "\n")
        let fake = FakeSubmit()
        fake.failAfter = 2
        let outcome = EventImport(batchSize: 10).run(EventLineReader(data: Data(text.utf8)), submit: fake.submit)
        guard case .failed(let line, let error)? = outcome.stop else {
            Issue.record("expected a failure, got \(String(describing: outcome.stop))")
            return
        }
        #expect(line == 21)
        #expect(error.exitStatus == ControlExitStatus.protocolError)
        #expect(outcome.accepted == 20)
    }

    @Test("a file that cannot be read stops the import with errno, after sending what was read")
    func unreadable() throws {
        let directory = try CannedPeer.temporaryDirectory()
        defer { rmdir(directory) }
        let descriptor = open(directory, O_RDONLY)  // opens, but read(2) fails with EISDIR
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let fake = FakeSubmit()
        let outcome = EventImport(batchSize: 10).run(EventLineReader(fileDescriptor: descriptor), submit: fake.submit)
        guard case .unreadable(let line, let code)? = outcome.stop else {
            Issue.record("expected .unreadable, got \(String(describing: outcome.stop))")
            return
        }
        #expect(line == 1)
        #expect(code == EISDIR)
        #expect(fake.batchSizes.isEmpty)
    }

    @Test("a read error in the middle of the file: the lines before it are sent, the stop names the next line")
    func unreadableMidway() {
        var chunks = [Array((event("INC-1") + "\n" + event("INC-2") + "\n\n" + event("INC-").dropLast(5)).utf8)]
        let reader = EventLineReader {
            if chunks.isEmpty { throw EventLineReader.ReadError(errno: EIO) }
            return chunks.removeFirst()
        }
        let fake = FakeSubmit()
        let outcome = EventImport(batchSize: 10).run(reader, submit: fake.submit)
        guard case .unreadable(let line, let code)? = outcome.stop else {
            Issue.record("expected .unreadable, got \(String(describing: outcome.stop))")
            return
        }
        #expect(line == 4, "lines 1 to 3 were read (3 is blank); line 4 broke off")
        #expect(code == EIO)
        #expect(fake.applied == ["INC-1", "INC-2"])
        #expect(outcome.accepted == 2)
    }

    @Test("over the socket: InvalidEvent from the peer stops the import at the refused line")
    func overTheSocket() throws {
        let peer = try CannedPeer([
            [
                .readRequest, .reply(#"{"parameters":{"accepted":2}}"#),
                .readRequest,
                .reply(
                    #"{"error":"io.slad.Sla.InvalidEvent","parameters":{"index":0,"message":"\"line\" must be 1 to 4"}}"#
                ),
            ]
        ])
        let control = try SlaControl(socketPath: peer.path)
        let text = [event("INC-1"), event("INC-2"), "", event("INC-3")].joined(separator: "\n")
        let outcome = EventImport(batchSize: 2).run(EventLineReader(data: Data(text.utf8))) { batch in
            try control.submit(objects: batch).value.accepted
        }
        #expect(outcome.accepted == 2)
        guard case .refused(let line, let message)? = outcome.stop else {
            Issue.record("expected a refusal, got \(String(describing: outcome.stop))")
            return
        }
        #expect(line == 4)
        #expect(message == "\"line\" must be 1 to 4")
        #expect(peer.waitUntilDone())
        #expect(
            peer.requests.map { $0["parameters"]?["events"]?.array?.count ?? 0 } == [
                2, 1,
            ])
    }
}
