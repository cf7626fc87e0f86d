/// One armed threshold: a ticket's clock must be looked at when `instant` comes.
///
/// 16 bytes. Entries are never removed when a clock changes: the engine recognises a stale one
/// when it comes due, which keeps every change O(log n) and the queue a flat array.
public struct Deadline: Hashable, Comparable, Sendable {
    public var instant: Instant
    /// The ticket's slot in the engine.
    public var slot: UInt32
    /// 0 response, 1 resolution, 2 line.
    public var clock: UInt8

    public init(instant: Instant, slot: UInt32, clock: UInt8) {
        self.instant = instant
        self.slot = slot
        self.clock = clock
    }

    @inlinable
    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        if lhs.instant != rhs.instant { return lhs.instant < rhs.instant }
        if lhs.slot != rhs.slot { return lhs.slot < rhs.slot }
        return lhs.clock < rhs.clock
    }
}

/// A binary min-heap of deadlines: one timer serves them all by waiting for the earliest.
public struct DeadlineQueue: Sendable {
    private var heap: ContiguousArray<Deadline> = []

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }

    /// The earliest deadline.
    public var first: Deadline? { heap.first }

    public mutating func reserveCapacity(_ n: Int) { heap.reserveCapacity(n) }

    public mutating func insert(_ deadline: Deadline) {
        heap.append(deadline)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child] < heap[parent] else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the earliest deadline.
    public mutating func popFirst() -> Deadline? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            let n = heap.count
            while true {
                let left = 2 * parent + 1
                guard left < n else { break }
                let right = left + 1
                let smaller = right < n && heap[right] < heap[left] ? right : left
                guard heap[smaller] < heap[parent] else { break }
                heap.swapAt(smaller, parent)
                parent = smaller
            }
        }
        return top
    }

    public mutating func removeAll() { heap.removeAll() }
}
