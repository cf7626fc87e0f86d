import Foundation
import SLAStore
import SLAWire

/// Hands every committed timeline record to whoever watches: `Watch` clients, and the journal.
///
/// Records are published after they are durable, so a watcher never sees what a crash could undo.
public final class RecordFeed: @unchecked Sendable {
    /// Records a watcher may fall behind by before it is dropped: a client that stopped reading
    /// must not make slad hold an ever-growing backlog.
    public static let watcherBacklog = 100_000

    private let lock = NSLock()
    private var watchers: [UInt64: AsyncStream<String>.Continuation] = [:]
    private var nextID: UInt64 = 0
    private var sinks: [@Sendable ([StoredRecord]) -> Void] = []

    public init() {}

    /// Adds a function that receives every batch of committed records, on the committing thread.
    public func addSink(_ sink: @escaping @Sendable ([StoredRecord]) -> Void) {
        lock.withLock { sinks.append(sink) }
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

    /// Number of watchers now.
    public var watcherCount: Int { lock.withLock { watchers.count } }

    func publish(_ units: [CommitUnit]) {
        let (watchers, sinks) = lock.withLock { (self.watchers, self.sinks) }
        let records = units.flatMap(\.records)
        guard !records.isEmpty else { return }
        for sink in sinks { sink(records) }
        guard !watchers.isEmpty else { return }
        let lines = records.map { RecordFormat.encode($0.record, late: $0.late) }
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
