import Foundation
import SLAContract
import SLAJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads an events file in the replay input format (one JSON object a line) line by line, without
/// holding the whole file: `slactl submit` may be fed millions of events through a pipe.
///
/// Blank lines are skipped but counted, so line numbers match an editor's. A line is only checked to
/// be a JSON object here; slad decides whether it is an event it can apply.
public final class EventLineReader {
    /// One non-blank line of the file.
    public enum Line {
        /// A JSON object, at its 1-based line number.
        case event(line: Int, object: [String: JSONValue])
        /// A line that is no JSON object, and why.
        case malformed(line: Int, message: String)
    }

    /// Reading the file failed (not a malformed line: the system could not read it).
    public struct ReadError: Error, CustomStringConvertible {
        public var errno: Int32
        public var description: String { SystemError.message(errno) }

        /// A read that failed with `errno`.
        public init(errno: Int32) {
            self.errno = errno
        }
    }

    private let source: () throws -> [UInt8]?
    private var pending: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var lineNumber = 0

    /// Lines read so far, blank ones included.
    public var linesRead: Int { lineNumber }

    /// Reads from an open file descriptor (a file, or standard input for `-`); does not close it.
    public init(fileDescriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        source = {
            while true {
                let count = buffer.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress, $0.count) }
                if count > 0 { return Array(buffer[..<count]) }
                if count == 0 { return nil }
                if errno != EINTR { throw ReadError(errno: errno) }
            }
        }
    }

    /// Reads from any source of bytes: `source` returns the next chunk, or nil at the end.
    public init(source: @escaping () throws -> [UInt8]?) {
        self.source = source
    }

    /// Reads from bytes already in memory.
    public init(data: Data) {
        var remaining: Data? = data
        source = {
            defer { remaining = nil }
            return remaining.map { [UInt8]($0) }
        }
    }

    /// The next non-blank line, or nil at the end of the file.
    /// - Throws: ``ReadError`` when the file cannot be read.
    public func next() throws -> Line? {
        while true {
            guard let bytes = try nextLineBytes() else { return nil }
            lineNumber += 1
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            return Self.decode(bytes, line: lineNumber)
        }
    }

    private func nextLineBytes() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = pending[start...].firstIndex(of: 0x0A) {
                let line = pending[start..<newline]
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < pending.count else { return nil }
                let line = pending[start...]
                start = pending.count
                return line
            }
            // Drop consumed bytes before appending, so the buffer holds at most one partial line and a chunk.
            if start > 0 {
                pending.removeSubrange(..<start)
                start = 0
            }
            if let chunk = try source() {
                pending.append(contentsOf: chunk)
            } else {
                atEnd = true
            }
        }
    }

    private static func decode(_ bytes: ArraySlice<UInt8>, line: Int) -> Line {
        guard let value = try? JSONValue.decode(bytes) else {
            return .malformed(line: line, message: "not valid JSON")
        }
        guard case .object(let object) = value else {
            return .malformed(
                line: line, message: "an event is a JSON object, like {\"ticket\":\"INC-1\",\"event\":\"respond\"}")
        }
        return .event(line: line, object: object)
    }
}

/// Sends an events file to slad in batches of `Submit` calls, and says how far it got.
///
/// Each batch is applied atomically. When slad refuses event i of a batch (`InvalidEvent`), nothing of
/// the batch was applied, so the events before it are sent again on their own: in the end every event
/// before the refused line is applied and none after it, and the file can be continued from that line.
public struct EventImport {
    /// Why the import stopped before the end of the file.
    public enum Stop {
        /// slad refused the event at this line (`InvalidEvent`).
        case refused(line: Int, message: String)
        /// The line is not a JSON object; nothing from it on was sent.
        case malformed(line: Int, message: String)
        /// The file could not be read at this line (errno); the events before it were sent.
        case unreadable(line: Int, errno: Int32)
        /// The call failed otherwise (slad went away, another Varlink error); `line` is the first line of
        /// the batch that failed, which may or may not have been applied.
        case failed(line: Int, error: ControlError)
    }

    /// How an import ended.
    public struct Outcome {
        /// Events slad accepted, counted from its replies.
        public var accepted: Int
        /// Nil when the whole file was applied.
        public var stop: Stop?
        /// The number of the last line read (the file's length when it completed).
        public var lastLine: Int
    }

    /// Events per `Submit` call.
    public var batchSize: Int

    /// An import sending `batchSize` events per call.
    public init(batchSize: Int = 1000) {
        precondition(batchSize > 0, "a batch holds at least one event")
        self.batchSize = batchSize
    }

    /// Reads `reader` to its end (or to the first refused or malformed line) and hands each batch to
    /// `submit`, which returns the number slad accepted (the reply's `accepted`). `progress` is told the
    /// running total after each batch. When the file cannot be read on, the events read so far are sent first.
    public func run(
        _ reader: EventLineReader,
        submit: ([[String: JSONValue]]) throws -> Int,
        progress: (Int) -> Void = { _ in }
    ) -> Outcome {
        var accepted = 0
        var lastLine = 0
        var batch: [[String: JSONValue]] = []
        var lines: [Int] = []
        batch.reserveCapacity(batchSize)
        lines.reserveCapacity(batchSize)

        func flush() -> Stop? {
            defer {
                batch.removeAll(keepingCapacity: true)
                lines.removeAll(keepingCapacity: true)
            }
            var count = batch.count
            var refusal: Stop?
            while count > 0 {
                do {
                    accepted += try submit(Array(batch[..<count]))
                    break
                } catch ControlError.remote(SlaInterface.Errors.invalidEvent, let parameters) {
                    let read = FieldReader(parameters)
                    guard let index = try? read.optionalInt("index"), index >= 0, index < count else {
                        let named = (try? read.optionalInt("index")).flatMap { $0 }.map(String.init) ?? "?"
                        let error = ControlError.protocolViolation("InvalidEvent names event \(named) of a batch of \(count)")
                        return .failed(line: lines[0], error: error)
                    }
                    // Each retry is refused earlier, if at all: the last refusal names the earliest line.
                    let message = (try? read.optionalString("message")).flatMap { $0 } ?? "no reason given"
                    refusal = .refused(line: lines[index], message: message)
                    count = index
                } catch let error as ControlError {
                    return .failed(line: lines[0], error: error)
                } catch {
                    return .failed(line: lines[0], error: .protocolViolation("\(error)"))
                }
            }
            progress(accepted)
            return refusal
        }

        while true {
            let next: EventLineReader.Line?
            do {
                next = try reader.next()
            } catch {
                let code = (error as? EventLineReader.ReadError)?.errno ?? EIO
                if !batch.isEmpty, let stop = flush() {
                    return Outcome(accepted: accepted, stop: stop, lastLine: lastLine)
                }
                return Outcome(
                    accepted: accepted, stop: .unreadable(line: reader.linesRead + 1, errno: code), lastLine: lastLine)
            }
            guard let line = next else { break }
            switch line {
            case .event(let number, let object):
                lastLine = number
                batch.append(object)
                lines.append(number)
                if batch.count == batchSize, let stop = flush() {
                    return Outcome(accepted: accepted, stop: stop, lastLine: lastLine)
                }
            case .malformed(let number, let message):
                lastLine = number
                if !batch.isEmpty, let stop = flush() {
                    return Outcome(accepted: accepted, stop: stop, lastLine: lastLine)
                }
                return Outcome(accepted: accepted, stop: .malformed(line: number, message: message), lastLine: lastLine)
            }
        }
        if !batch.isEmpty, let stop = flush() {
            return Outcome(accepted: accepted, stop: stop, lastLine: lastLine)
        }
        return Outcome(accepted: accepted, stop: nil, lastLine: lastLine)
    }
}
