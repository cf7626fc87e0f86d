import NIOCore
import Synchronization

/// The replies of one connection waiting to be written, in the order they were made.
///
/// Replying never waits for the client: a reply is queued and a writer task hands the queue to the
/// channel as fast as the client reads. A client that stops reading (a stalled `Watch`) therefore
/// costs memory, not a blocked service; once more than `limit` bytes are queued the connection is
/// dropped. Counted are the bytes not yet accepted by the channel; the channel itself holds up to its
/// write watermark (64 KiB) and the kernel a socket buffer more.
final class ReplyQueue: Sendable {
    enum EnqueueOutcome: Equatable {
        case queued
        /// Queuing this frame would have taken the queue past the limit; nothing was queued.
        case overLimit(queuedBytes: Int)
        /// The connection is gone or going; nothing was queued.
        case closed
    }

    private struct State {
        var pending = CircularBuffer<ByteBuffer>()
        /// Bytes in `pending`.
        var pendingBytes = 0
        /// Bytes the writer took and has not yet seen accepted by the channel.
        var inFlightBytes = 0
        /// No more replies will come; the writer stops once `pending` is empty.
        var finished = false
        /// The connection is gone: queued replies are dropped and nothing more is queued.
        var closed = false
        var writer: CheckedContinuation<[ByteBuffer]?, Never>?
        var drainWaiters: [CheckedContinuation<Void, Never>] = []
        /// Nobody waits for the queue to drain any more (the server is shutting down).
        var drainWaitReleased = false

        var isDrained: Bool {
            self.closed || self.drainWaitReleased || (self.pendingBytes == 0 && self.inFlightBytes == 0)
        }

        mutating func takePending() -> [ByteBuffer] {
            let batch = Array(self.pending)
            self.pending.removeAll(keepingCapacity: true)
            self.inFlightBytes = self.pendingBytes
            self.pendingBytes = 0
            return batch
        }

        mutating func takeDrainWaiters() -> [CheckedContinuation<Void, Never>] {
            guard self.isDrained else { return [] }
            defer { self.drainWaiters = [] }
            return self.drainWaiters
        }
    }

    let limit: Int
    /// What all connections of the server may hold together.
    let budget: ReplyBudget
    private let state = Mutex(State())

    init(limit: Int, budget: ReplyBudget = ReplyBudget(limit: .max)) {
        self.limit = limit
        self.budget = budget
    }

    /// Queues one frame for writing, unless that takes the queue past `limit`.
    func enqueue(_ frame: ByteBuffer) -> EnqueueOutcome {
        let (outcome, writer, batch) = self.state.withLock {
            state -> (EnqueueOutcome, CheckedContinuation<[ByteBuffer]?, Never>?, [ByteBuffer]) in
            if state.closed || state.finished { return (.closed, nil, []) }
            let queued = state.pendingBytes + state.inFlightBytes
            if queued + frame.readableBytes > self.limit
                || !self.budget.take(frame.readableBytes, holding: queued)
            {
                return (.overLimit(queuedBytes: queued + frame.readableBytes), nil, [])
            }
            state.pending.append(frame)
            state.pendingBytes += frame.readableBytes
            guard let writer = state.writer else { return (.queued, nil, []) }
            state.writer = nil
            return (.queued, writer, state.takePending())
        }
        writer?.resume(returning: batch)
        return outcome
    }

    /// The writer's next batch of frames, waiting for one; nil when the queue is finished and empty, or closed.
    ///
    /// Calling it again means the previous batch was accepted by the channel.
    func nextBatch() async -> [ByteBuffer]? {
        await withCheckedContinuation { (continuation: CheckedContinuation<[ByteBuffer]?, Never>) in
            let (batch, drained) = self.state.withLock {
                state -> (batch: [ByteBuffer]??, drained: [CheckedContinuation<Void, Never>]) in
                self.budget.release(state.inFlightBytes)
                state.inFlightBytes = 0
                if state.closed {
                    return (.some(nil), state.takeDrainWaiters())
                }
                if !state.pending.isEmpty {
                    return (.some(state.takePending()), [])
                }
                let drained = state.takeDrainWaiters()
                if state.finished {
                    return (.some(nil), drained)
                }
                state.writer = continuation
                return (nil, drained)
            }
            for waiter in drained { waiter.resume() }
            if let batch { continuation.resume(returning: batch) }
        }
    }

    /// Returns once every queued frame has been accepted by the channel, or the connection is gone.
    func waitUntilDrained() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = self.state.withLock { state -> Bool in
                if state.isDrained { return true }
                state.drainWaiters.append(continuation)
                return false
            }
            if drained { continuation.resume() }
        }
    }

    /// Makes `waitUntilDrained` return at once from now on, so a shutdown need not wait for a client
    /// that reads slowly; what is queued is still written.
    func releaseDrainWaiters() {
        let waiters = self.state.withLock { state in
            state.drainWaitReleased = true
            return state.takeDrainWaiters()
        }
        for waiter in waiters { waiter.resume() }
    }

    /// No more replies will be queued; the writer ends after writing what is queued.
    func finish() {
        let writer = self.state.withLock { state -> CheckedContinuation<[ByteBuffer]?, Never>? in
            state.finished = true
            guard state.pending.isEmpty else { return nil }
            defer { state.writer = nil }
            return state.writer
        }
        writer?.resume(returning: nil)
    }

    /// The connection is gone: drops what is queued and wakes everyone waiting.
    func close() {
        let (writer, waiters) = self.state.withLock { state in
            state.closed = true
            state.pending.removeAll()
            // The writer may never ask again (its write failed): what it held is given back now.
            self.budget.release(state.pendingBytes + state.inFlightBytes)
            state.pendingBytes = 0
            state.inFlightBytes = 0
            let writer = state.writer
            state.writer = nil
            return (writer, state.takeDrainWaiters())
        }
        writer?.resume(returning: nil)
        for waiter in waiters { waiter.resume() }
    }

    /// Whether the connection was closed through `close()`.
    var isClosed: Bool { self.state.withLock { $0.closed } }
}

/// The reply bytes all connections of a server may leave unread together.
///
/// Each connection has its own bound; this one keeps many stalled clients from adding up (100
/// watchers that never read once cost 3.7 GiB). Past it, a connection holding more than
/// `fairShare` is refused more, and so dropped, while one that keeps up (it holds little) still
/// gets its replies queued: the overshoot is at most `fairShare` a connection.
final class ReplyBudget: Sendable {
    let limit: Int
    let fairShare: Int
    private let used = Atomic<Int>(0)

    init(limit: Int, fairShare: Int = 64 << 10) {
        self.limit = limit
        self.fairShare = fairShare
    }

    /// Bytes queued on all connections now.
    var queuedBytes: Int { self.used.load(ordering: .relaxed) }

    /// Counts `bytes` more for a connection already holding `holding`, unless that is over the limit
    /// and the connection holds more than its fair share.
    func take(_ bytes: Int, holding: Int) -> Bool {
        let now = self.used.wrappingAdd(bytes, ordering: .relaxed).newValue
        if now > self.limit, holding > self.fairShare {
            self.used.wrappingSubtract(bytes, ordering: .relaxed)
            return false
        }
        return true
    }

    func release(_ bytes: Int) {
        guard bytes != 0 else { return }
        self.used.wrappingSubtract(bytes, ordering: .relaxed)
    }
}

/// Fires once, when a connection ends or the server starts shutting down; `wait()` returns after that.
final class EndSignal: Sendable {
    private struct State {
        var fired = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// Waiters cancelled before they had parked their continuation.
        var cancelled: Set<Int> = []
    }

    private let state = Mutex(State())

    func fire() {
        let waiters = self.state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fired else { return [] }
            state.fired = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when the signal fires, or when the waiting task is cancelled.
    func wait() async {
        let id = self.state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = self.state.withLock { state -> Bool in
                    if state.fired || state.cancelled.remove(id) != nil { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
                if !state.fired { state.cancelled.insert(id) }
                return nil
            }
            waiter?.resume()
        }
    }
}
