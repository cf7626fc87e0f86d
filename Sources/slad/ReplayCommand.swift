import ArgumentParser
import Foundation
import SLACore
import SLAConfig
import SLAWire

/// `slad replay`: run the engine on recorded events with simulated time.
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay ticket events (JSON Lines) through the SLA engine and print the timeline as JSON Lines.",
        discussion: """
            Events are applied in `at` order; thresholds fire in between, and the simulation runs to \
            --until (default: the last event's instant); events after --until are not applied. Malformed or refused lines are reported on \
            standard error with their line number and skipped; the exit status is then 1.
            """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Simulate up to this instant (RFC 3339), firing every threshold due by then.")
    var until: String?

    @Argument(help: "The events file, or - for standard input.")
    var events: String

    func run() throws {
        var horizon: Instant?
        if let until {
            guard let instant = Timestamp.parse(until) else {
                throw ValidationError("--until is not an RFC 3339 timestamp like 2026-03-02T18:00:00Z: \(until)")
            }
            horizon = instant
        }
        let configuration = try options.load()
        let input = try EventsFile.read(events)
        var output = BufferedOutput()
        let outcome = SLAWire.Replay(configuration: configuration).run(input: input, until: horizon) { record in
            output.write(record)
        }
        output.flush()
        let problems = outcome.problems
        if outcome.eventsAfterHorizon > 0 {
            StandardError.write("slad: \(outcome.eventsAfterHorizon) event(s) after --until were not applied\n")
        }
        for problem in problems {
            StandardError.write("\(events == "-" ? "<stdin>" : events):\(problem.line): \(problem.message)\n")
        }
        if !problems.isEmpty {
            StandardError.write("slad: skipped \(problems.count) line(s)\n")
            throw ExitCode(ExitStatus.inputRejected)
        }
    }
}

/// Standard output in writes of 1 MiB: `print` per record costs a system call per line, and a record
/// is encoded straight into the buffer, with no string made for it.
struct BufferedOutput {
    private static let flushSize = 1 << 20
    private var buffer: [UInt8] = []

    init() { buffer.reserveCapacity(Self.flushSize + (1 << 12)) }

    mutating func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count >= Self.flushSize { flush() }
    }

    /// One timeline record and its newline.
    mutating func write(_ record: TimelineRecord) {
        RecordFormat.encode(record, into: &buffer)
        buffer.append(0x0A)
        if buffer.count >= Self.flushSize { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { FileHandle.standardOutput.write(Data($0)) }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// The events file of `replay` and `report`: a path, or `-` for standard input.
enum EventsFile {
    /// The file's bytes; exit status 66 when it cannot be read.
    static func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            StandardError.write("slad: cannot read \(path)\n")
            throw ExitCode(ExitStatus.noInput)
        }
        return data
    }
}

enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
