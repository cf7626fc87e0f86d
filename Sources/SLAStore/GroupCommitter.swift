import Foundation

/// Group commit: units queue while a transaction is being committed; the next transaction takes all
/// queued.
///
/// Each commit waits for an fsync, a few milliseconds on most disks; committing units one by one
/// would cap the daemon at a few hundred events a second. Taking everything that queued up during
/// one fsync into the next transaction pays one fsync for many units, and costs a lone unit nothing.
public final class GroupCommitter: Sendable {
    private let queue: SubmissionQueue

    /// What the writer does when the disk is full.
    public struct FullDisk: Sendable {
        /// How long the writer waits before it tries the held units again.
        public var retryInterval: Duration
        /// Most log entries and records held: past it, the held units fail like any store failure.
        public var capacity: Int

        public init(retryInterval: Duration = .seconds(1), capacity: Int = 200_000) {
            self.retryInterval = retryInterval
            self.capacity = capacity
        }
    }

    /// Whether the store takes commits.
    public enum Storage: Sendable, Equatable {
        /// A commit failed for lack of space (the sentence says so); units are held and retried.
        case full(reason: String)
        /// A commit succeeded again: the held units are durable.
        case available
    }

    /// Starts the writer thread.
    ///
    /// A commit that fails because the disk is full fails nobody: its units are held, in order, with
    /// those submitted after them, and retried every `fullDisk.retryInterval`, so nothing is lost and
    /// slad need not restart into the same full disk. `onStorage` hears when that begins and ends.
    /// Past `fullDisk.capacity` the held units fail (with the full disk's error).
    ///
    /// - Parameters:
    ///   - timing: called on the writer thread after each transaction that succeeded, with the time
    ///     the commit took (fsync included) and its units: for the metrics.
    ///   - onCommitted: called on the writer thread after each transaction that succeeded, with
    ///     its units (each log entry's `seq` assigned), after their completions ran: where the daemon
    ///     tells watchers of records, which must not see a record that a crash could still take back.
    public init(
        store: StateStore, timing: (@Sendable (Duration, [CommitUnit]) -> Void)? = nil,
        fullDisk: FullDisk = FullDisk(), onStorage: @escaping @Sendable (Storage) -> Void = { _ in },
        onCommitted: @escaping @Sendable ([CommitUnit]) -> Void
    ) {
        let queue = SubmissionQueue(path: store.path)
        self.queue = queue
        let writer = Thread {
            var held: [Submission] = []
            var heldSize = 0
            while let batch = queue.takeAll(waiting: held.isEmpty) {
                let all = held.isEmpty ? batch : held + batch
                let result: Result<[CommitUnit], StoreError>
                let began = ContinuousClock.now
                do throws(StoreError) {
                    result = .success(try store.commit(all.map(\.unit)))
                } catch {
                    result = .failure(error)
                }
                if case .failure(let error) = result, error.isStorageFull, !queue.isClosed {
                    heldSize += batch.reduce(0) { $0 + $1.unit.log.count + $1.unit.records.count }
                    if heldSize <= fullDisk.capacity {
                        if held.isEmpty { onStorage(.full(reason: error.description)) }
                        held = all
                        queue.pause(fullDisk.retryInterval)
                        continue
                    }
                }
                if case .success = result, !held.isEmpty { onStorage(.available) }
                held = []
                heldSize = 0
                if let timing, case .success(let committed) = result { timing(ContinuousClock.now - began, committed) }
                let completion = result.map { _ in () }
                for submission in all { submission.completion(completion) }
                if case .success(let committed) = result { onCommitted(committed) }
                queue.finished(all.count)
            }
        }
        writer.name = "slad.store.writer"
        queue.writer = writer
        writer.start()
    }

    /// Without waiting: the last reference may go on the writer thread itself (a completion that held
    /// it), and the writer holds the store and the queue, so it still commits what is queued.
    deinit {
        queue.close()
    }

    /// Queues a unit for the next transaction.
    ///
    /// Completion runs after the unit is durable (or failed); units commit in submission order. All
    /// completions run on the writer thread, in submission order, so they must be quick and must not
    /// call ``drain()`` or ``close()``. A unit submitted after ``close()`` completes at once with
    /// ``StoreError/closed(path:)``, on the caller's thread.
    public func submit(_ unit: CommitUnit, completion: @escaping @Sendable (Result<Void, StoreError>) -> Void) {
        if !queue.append(Submission(unit: unit, completion: completion)) {
            completion(.failure(.closed(path: queue.path)))
        }
    }

    /// Blocks until everything submitted so far is committed (or failed), its completions have run and
    /// `onCommitted` has seen it.
    public func drain() {
        queue.waitUntilFinished()
    }

    /// Commits what is queued, then stops the writer thread; later submissions fail. Blocks until the
    /// writer is done, so the store may be closed right after.
    public func close() {
        queue.close()
        queue.waitUntilFinished()
        queue.waitUntilWriterExits()
    }
}

private struct Submission: Sendable {
    var unit: CommitUnit
    var completion: @Sendable (Result<Void, StoreError>) -> Void
}

/// The queue between the submitters and the writer thread.
///
/// `@unchecked Sendable`: every mutable property is read and written only while `condition` is locked.
private final class SubmissionQueue: @unchecked Sendable {
    let path: String
    private let condition = NSCondition()
    private var pending: [Submission] = []
    private var submitted = 0
    private var finished = 0
    private var closed = false
    private var writerExited = false
    /// Set once before the thread starts; read to catch a completion that would wait for itself.
    var writer: Thread? {
        get { condition.withLock { _writer } }
        set { condition.withLock { _writer = newValue } }
    }
    private var _writer: Thread?

    init(path: String) {
        self.path = path
    }

    /// - Returns: false when the queue is closed and the submission was not taken.
    func append(_ submission: Submission) -> Bool {
        condition.withLock {
            guard !closed else { return false }
            pending.append(submission)
            submitted += 1
            condition.broadcast()
            return true
        }
    }

    /// Waits for submissions (unless not `waiting`) and takes all of them, in order; nil once closed
    /// and empty, which ends the writer thread.
    func takeAll(waiting: Bool = true) -> [Submission]? {
        condition.withLock {
            while waiting && pending.isEmpty && !closed { condition.wait() }
            if !waiting && pending.isEmpty && !closed { return [] }
            if pending.isEmpty && waiting {
                writerExited = true
                condition.broadcast()
                return nil
            }
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }

    func finished(_ count: Int) {
        condition.withLock {
            finished += count
            condition.broadcast()
        }
    }

    func waitUntilFinished() {
        condition.withLock {
            precondition(Thread.current != _writer, "drain() or close() from a completion would wait for itself")
            let target = submitted
            while finished < target { condition.wait() }
        }
    }

    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    var isClosed: Bool { condition.withLock { closed } }

    /// Waits `duration`, or less when the queue is closed meanwhile.
    func pause(_ duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.withLock {
            while !closed && Date() < deadline { _ = condition.wait(until: deadline) }
        }
    }

    func waitUntilWriterExits() {
        condition.withLock {
            while !writerExited { condition.wait() }
        }
    }
}
