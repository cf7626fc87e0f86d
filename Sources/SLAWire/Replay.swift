import Foundation
import SLACore

/// Offline replay: the engine run on recorded events with simulated time.
///
/// Events are applied in `at` order (stable for equal instants), deadlines fire in between, and the
/// simulation runs on to `until` (default: the last event's instant). Lines that cannot be read or
/// that the engine refuses are reported and skipped; the rest still runs.
public struct Replay {
    /// A line that was skipped, and why.
    public struct Problem: Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number in the input.
        public var line: Int
        public var message: String

        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        public var description: String { "line \(line): \(message)" }
    }

    public let configuration: Configuration

    public init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// What a replay left out.
    public struct Outcome: Sendable, Equatable {
        /// Lines that could not be read or that the engine refused, in line order.
        public var problems: [Problem]
        /// Events after `until`: beyond the simulated time, so not applied.
        public var eventsAfterHorizon: Int
    }

    /// One event of a replay's input: its line, its instant and the event.
    public typealias TimedLine = (line: Int, at: Instant, event: TicketEvent)

    /// Reads JSON Lines input into events in `at` order (equal instants in input order); lines
    /// that cannot be read are returned as problems.
    public static func readEvents(input: Data) -> (events: [TimedLine], problems: [Problem]) {
        var problems: [Problem] = []
        var events: [TimedLine] = []
        var lineNumber = 0
        input.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            var start = 0
            while start < input.count {
                lineNumber += 1
                let rest = UnsafeRawBufferPointer(rebasing: input[start...])
                let end =
                    memchr(rest.baseAddress!, 0x0A, rest.count).map { UnsafeRawPointer($0) - rest.baseAddress! + start }
                    ?? input.count
                let line = UnsafeRawBufferPointer(rebasing: input[start..<end])
                start = end + 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
                switch EventFormat.decode(line: line) {
                case .failure(let error):
                    problems.append(Problem(line: lineNumber, message: error.message))
                case .success(let timed):
                    guard let at = timed.at else {
                        problems.append(Problem(line: lineNumber, message: "\"at\" is required in a replay"))
                        continue
                    }
                    events.append((lineNumber, at, timed.event))
                }
            }
        }
        // Swift's sort is not stable; the line number keeps equal instants in input order.
        events.sort { ($0.at, $0.line) < ($1.at, $1.line) }
        return (events, problems)
    }

    /// Replays JSON Lines input; `emit` receives each timeline record as it happens.
    public func run(
        input: Data,
        until: Instant? = nil,
        emit: (TimelineRecord) -> Void
    ) -> Outcome {
        var (events, problems) = Self.readEvents(input: input)

        var afterHorizon = 0
        if let until, let cut = events.firstIndex(where: { $0.at > until }) {
            afterHorizon = events.count - cut
            events.removeSubrange(cut...)
        }
        var machine = SLAMachine(configuration: configuration)
        var records: [TimelineRecord] = []
        for (line, at, event) in events {
            do {
                try machine.apply(event, at: at, records: &records)
            } catch {
                problems.append(Problem(line: line, message: error.description))
            }
            records.forEach(emit)
            records.removeAll(keepingCapacity: true)
        }
        if let horizon = until ?? events.last?.at {
            machine.fire(through: horizon, records: &records)
            records.forEach(emit)
        }
        return Outcome(problems: problems.sorted { $0.line < $1.line }, eventsAfterHorizon: afterHorizon)
    }
}
