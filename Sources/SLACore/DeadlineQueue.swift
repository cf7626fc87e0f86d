/// A ticket must be looked at when `instant` comes: one of its clocks reaches a threshold.
///
/// 16 bytes. Entries are never removed when a clock changes: the engine recognises a stale one
/// when it comes due, which keeps every change O(log n) and the queue a flat array.
public struct Deadline: Hashable, Comparable, Sendable {
    public var instant: Instant
    /// The ticket's slot in the engine.
    public var slot: UInt32

    public init(instant: Instant, slot: UInt32) {
        self.instant = instant
        self.slot = slot
    }

    @inlinable
    public static func < (lhs: Deadline, rhs: Deadline) -> Bool {
        lhs.instant != rhs.instant ? lhs.instant < rhs.instant : lhs.slot < rhs.slot
    }
}

/// A 4-ary min-heap of deadlines: one timer serves them all by waiting for the earliest.
///
/// Each entry is packed into 8 bytes, seconds after the queue's base instant in the high half and
/// the slot in the low half, so one integer comparison orders by (instant, slot) and a node's four
/// children take half a cache line. That matters with a million tickets queued: walking the heap
/// is mostly waiting for memory. (A radix heap measured no faster here.) The base sits 34 years
/// before the earliest instant queued; instants more than about a century after it queue at that
/// limit (the engine sees such a deadline as stale: nothing is due that far ahead).
public struct DeadlineQueue: Sendable {
    private var heap: ContiguousArray<UInt64> = []
    private var base: Int64?

    public init() {}

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }

    /// The earliest deadline.
    public var first: Deadline? { heap.first.map(unpack) }

    public mutating func reserveCapacity(_ n: Int) { heap.reserveCapacity(n) }

    @inline(__always)
    private func unpack(_ key: UInt64) -> Deadline {
        Deadline(
            instant: Instant(secondsSince1970: (base ?? 0) + Int64(key >> 32)),
            slot: UInt32(truncatingIfNeeded: key))
    }

    @inline(__always)
    private mutating func pack(_ deadline: Deadline) -> UInt64 {
        let instant = deadline.instant.secondsSince1970
        if base == nil || instant < base! { rebase(below: instant) }
        let offset = min(instant - base!, Int64(UInt32.max))
        return UInt64(offset) << 32 | UInt64(deadline.slot)
    }

    /// Moves the base to 34 years before `instant`, re-keying what is queued. Time moves forward,
    /// so this happens on the first insert and practically never again.
    private mutating func rebase(below instant: Int64) {
        let newBase = instant - (1 << 30)
        if let old = base {
            for i in heap.indices {
                let offset = min(old + Int64(heap[i] >> 32) - newBase, Int64(UInt32.max))
                heap[i] = UInt64(offset) << 32 | (heap[i] & 0xFFFF_FFFF)
            }
        }
        base = newBase
    }

    public mutating func insert(_ deadline: Deadline) {
        let key = pack(deadline)
        heap.append(key)
        heap.withUnsafeMutableBufferPointer { h in
            var hole = h.count - 1
            while hole > 0 {
                let parent = (hole - 1) >> 2
                guard key < h[parent] else { break }
                h[hole] = h[parent]
                hole = parent
            }
            h[hole] = key
        }
    }

    /// Removes and returns the earliest deadline.
    public mutating func popFirst() -> Deadline? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap.withUnsafeMutableBufferPointer { h in Self.siftDown(h, from: 0, value: last) }
        }
        return unpack(top)
    }

    public mutating func removeAll() { heap.removeAll() }

    /// Keeps only the deadlines `isKept` accepts and restores heap order, in O(n).
    public mutating func filter(_ isKept: (Deadline) -> Bool) {
        let base = self.base
        heap.removeAll { key in
            !isKept(
                Deadline(
                    instant: Instant(secondsSince1970: (base ?? 0) + Int64(key >> 32)),
                    slot: UInt32(truncatingIfNeeded: key)))
        }
        guard heap.count > 1 else { return }
        heap.withUnsafeMutableBufferPointer { h in
            var start = (h.count - 2) / 4
            while start >= 0 {
                Self.siftDown(h, from: start, value: h[start])
                start -= 1
            }
        }
    }

    @inline(__always)
    private static func siftDown(_ h: UnsafeMutableBufferPointer<UInt64>, from start: Int, value: UInt64) {
        let n = h.count
        var hole = start
        while true {
            let first = 4 * hole + 1
            guard first < n else { break }
            var smallest = first
            var key = h[first]
            if first + 3 < n {
                // All four children: pick the least without branches the CPU would mispredict.
                let a = h[first + 1]
                let b = h[first + 2]
                let c = h[first + 3]
                let (i0, k0) = a < key ? (first + 1, a) : (first, key)
                let (i1, k1) = c < b ? (first + 3, c) : (first + 2, b)
                (smallest, key) = k1 < k0 ? (i1, k1) : (i0, k0)
            } else {
                var child = first + 1
                while child < n {
                    if h[child] < key {
                        smallest = child
                        key = h[child]
                    }
                    child += 1
                }
            }
            guard key < value else { break }
            h[hole] = key
            hole = smallest
        }
        h[hole] = value
    }
}
