import Foundation

/// Writes journal entries on a thread of its own, so that a journald that is slow, stopped or gone
/// never holds up whoever logs: the engine's queue and the store's committer only append here.
///
/// The backlog is bounded: when it is full a new entry is dropped and counted, never waited for.
/// Entries that journald refuses are counted too, with the last error; nothing is thrown at the
/// caller. Both counts are in ``statistics``.
public final class JournalWriter: @unchecked Sendable {
    /// What became of the entries so far.
    public struct Statistics: Sendable, Equatable {
        /// Sent to journald.
        public var written: UInt64 = 0
        /// Dropped because the backlog was full.
        public var dropped: UInt64 = 0
        /// Refused by `sd_journal_sendv` (journald down, socket full...).
        public var failed: UInt64 = 0
        /// The last refusal, if any.
        public var lastError: SystemdError?
    }

    /// Entries waiting when nothing is being written.
    public static let defaultCapacity = 10_000

    // `@unchecked Sendable`: every mutable property is read and written only while `condition` is locked.
    private let condition = NSCondition()
    private var backlog: [JournalEntry] = []
    private var writing = false
    private var closed = false
    private var stats = Statistics()
    private let capacity: Int
    private let send: @Sendable (JournalEntry) throws(SystemdError) -> Void

    /// Starts the writer thread. `send` is ``Journal/send(_:)`` unless a test gives another.
    public init(
        capacity: Int = JournalWriter.defaultCapacity,
        send: @escaping @Sendable (JournalEntry) throws(SystemdError) -> Void = { entry throws(SystemdError) in
            try Journal.send(entry)
        }
    ) {
        self.capacity = max(1, capacity)
        self.send = send
        let thread = Thread { [self] in self.loop() }
        thread.name = "slad.journal.writer"
        thread.start()
    }

    /// Queues an entry without blocking; false when the backlog was full and it was dropped.
    @discardableResult
    public func submit(_ entry: JournalEntry) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, backlog.count < capacity else {
            stats.dropped += 1
            return false
        }
        backlog.append(entry)
        condition.signal()
        return true
    }

    /// Queues several entries in order, dropping those that do not fit.
    public func submit(contentsOf entries: [JournalEntry]) {
        for entry in entries { submit(entry) }
    }

    public var statistics: Statistics {
        condition.lock()
        defer { condition.unlock() }
        return stats
    }

    /// Waits until everything queued so far has been written or refused, at most `timeout` seconds;
    /// false on timeout (journald stuck). For shutdown and tests.
    @discardableResult
    public func flush(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while !backlog.isEmpty || writing {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    /// Stops taking entries; the thread writes what is queued and ends.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while backlog.isEmpty && !closed { condition.wait() }
            if backlog.isEmpty && closed {
                condition.unlock()
                return
            }
            let batch = backlog
            backlog.removeAll(keepingCapacity: true)
            writing = true
            condition.unlock()

            var written: UInt64 = 0
            var failed: UInt64 = 0
            var lastError: SystemdError?
            for entry in batch {
                do throws(SystemdError) {
                    try send(entry)
                    written += 1
                } catch {
                    failed += 1
                    lastError = error
                }
            }

            condition.lock()
            stats.written += written
            stats.failed += failed
            if let lastError { stats.lastError = lastError }
            writing = false
            condition.broadcast()
            condition.unlock()
        }
    }
}
