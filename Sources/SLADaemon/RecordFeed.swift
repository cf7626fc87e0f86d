import Foundation
import SLAStore
import SLAWire

/// A committed record with the ticket's priority level as it stood when the engine made the record.
public struct PublishedRecord: Sendable, Equatable {
    public var stored: StoredRecord
    /// E.g. `P1`; nil when the ticket was no longer open (closed in the same step).
    public var ticketPriority: String?

    public init(stored: StoredRecord, ticketPriority: String?) {
        self.stored = stored
        self.ticketPriority = ticketPriority
    }
}

/// Hands every committed timeline record to whoever watches: `Watch` clients, and the journal.
///
/// Records are published after they are durable, so a watcher never sees what a crash could undo.
public final class RecordFeed: @unchecked Sendable {
    /// Records a watcher may fall behind by before it is dropped: a client that stopped reading
    /// must not make slad hold an ever-growing backlog.
    public static let watcherBacklog = 20_000

    private let lock = NSLock()
    private var watchers: [UInt64: AsyncStream<String>.Continuation] = [:]
    private var nextID: UInt64 = 0
    private var sinks: [@Sendable ([PublishedRecord]) -> Void] = []

    public init() {}

    /// Adds a function that receives every committed unit's records, on the committing thread, in
    /// commit order. It must return at once (the journal's sink only queues them).
    public func addSink(_ sink: @escaping @Sendable ([PublishedRecord]) -> Void) {
        lock.withLock { sinks.append(sink) }
    }

    /// Whether any sink wants records: the engine host looks priorities up only then.
    /// Add sinks before the host is made: its recovery delivers the late records at once.
    var hasSinks: Bool { lock.withLock { !sinks.isEmpty } }

    /// Gives one unit's committed records to the sinks.
    func deliver(_ records: [PublishedRecord]) {
        guard !records.isEmpty else { return }
        let sinks = lock.withLock { self.sinks }
        for sink in sinks { sink(records) }
    }

    /// A stream of records in the replay output format, from now on, until the watcher is finished.
    public func watch() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(
            bufferingPolicy: .bufferingOldest(Self.watcherBacklog))
        let id = lock.withLock {
            nextID += 1
            watchers[nextID] = continuation
            return nextID
        }
        continuation.onTermination = { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.watchers.removeValue(forKey: id) }
        }
        return stream
    }


    func publish(_ units: [CommitUnit]) {
        let watchers = lock.withLock { self.watchers }
        guard !watchers.isEmpty else { return }
        let records = units.flatMap(\.records)
        guard !records.isEmpty else { return }
        let lines = records.map(\.line)
        for (_, watcher) in watchers {
            for line in lines {
                if case .dropped = watcher.yield(line) {
                    // Fell too far behind: end its stream rather than skip records silently.
                    watcher.finish()
                    break
                }
            }
        }
    }
}
