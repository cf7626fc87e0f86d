/// A ticket must be looked at when `instant` comes: one of its clocks reaches a threshold.
///
/// 16 bytes here, 8 once packed in the queue. Entries are never removed when a clock changes: the
/// engine recognises a stale one when it comes due, so a change only appends (amortised O(1) into a
/// bucket, O(log n) into the far heap) and no entry needs finding.
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

/// The armed deadlines, earliest first: one timer serves them all by waiting for the earliest.
///
/// A bucket queue: the next 12 days are cut into 64-second buckets; a deadline is appended to its
/// bucket, and a bucket is sorted once, when time reaches it, then read in order. Deadlines
/// further ahead wait in a heap and move into buckets as the window slides. With a million tickets
/// this touches memory in order where a heap walks a path of cold lines on every pop.
///
/// Each deadline is packed into 8 bytes, seconds after the queue's base in the high half and the
/// slot in the low half, so one integer comparison orders by (instant, slot). The base sits 34
/// years before the earliest instant queued; instants more than about a century after it queue
/// at that limit (the engine sees such a deadline as stale: nothing is due that far ahead).
public struct DeadlineQueue: Sendable {
    private static let bucketShift: UInt64 = 6
    private static let windowBits = 14
    private static let window = 1 << windowBits

    /// Ring of buckets: bucket number b (key >> 32 >> bucketShift) lives at `b & (window - 1)`.
    private var buckets = [ContiguousArray<UInt64>](repeating: [], count: window)
    /// One bit per ring position: the bucket holds something.
    private var occupied = [UInt64](repeating: 0, count: window / 64)
    /// The bucket time has reached; all before it are empty.
    private var current: UInt64 = 0
    /// Whether `buckets[current]` is sorted, and how much of it has been taken out.
    private var currentSorted = false
    private var head = 0
    /// Deadlines at or beyond `current + window`.
    private var overflow = PackedHeap()
    /// Deadlines that arrive for the current bucket once it is sorted. A heap, not a sorted insert
    /// into the bucket: when time sits in a bucket that a busy second keeps adding to (a hundred
    /// thousand tickets opened with a one-second target), shifting the bucket's tail on every
    /// insert made the queue quadratic.
    private var currentLate = PackedHeap()
    private var base: Int64?
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// The earliest deadline, without taking it out.
    public mutating func first() -> Deadline? {
        guard settle() else { return nil }
        return unpack(firstKey())
    }

    /// Takes out the earliest deadline.
    public mutating func popFirst() -> Deadline? {
        guard settle() else { return nil }
        let index = ring(current)
        let key: UInt64
        if head < buckets[index].count, currentLate.first.map({ buckets[index][head] < $0 }) ?? true {
            key = buckets[index][head]
            head += 1
        } else {
            key = currentLate.popFirst()!
        }
        count -= 1
        return unpack(key)
    }

    /// The least key of the current bucket and its late arrivals; after `settle()` returned true.
    @inline(__always)
    private func firstKey() -> UInt64 {
        let index = ring(current)
        guard head < buckets[index].count else { return currentLate.first! }
        let inBucket = buckets[index][head]
        guard let late = currentLate.first else { return inBucket }
        return min(inBucket, late)
    }

    /// The slot of the deadline `k` places after the earliest, if time has reached its bucket:
    /// a hint of what comes next (for prefetching), valid until the queue changes. Late arrivals
    /// for the current bucket are not looked at: a wrong hint costs one wasted prefetch, nothing else.
    @inline(__always)
    public func slot(ahead k: Int) -> UInt32? {
        let index = ring(current)
        guard currentSorted, head + k < buckets[index].count else { return nil }
        return UInt32(truncatingIfNeeded: buckets[index][head + k])
    }

    public mutating func insert(_ deadline: Deadline) {
        let instant = deadline.instant.secondsSince1970
        if base == nil || instant < base! { rebase(below: instant) }
        let offset = min(instant - base!, Int64(UInt32.max))
        place(UInt64(offset) << 32 | UInt64(deadline.slot))
        count += 1
    }

    public mutating func removeAll() {
        for i in buckets.indices { buckets[i].removeAll() }
        for i in occupied.indices { occupied[i] = 0 }
        overflow = PackedHeap()
        currentLate = PackedHeap()
        count = 0
        head = 0
        currentSorted = false
    }

    /// Keeps only the deadlines `isKept` accepts.
    public mutating func filter(_ isKept: (Deadline) -> Bool) {
        let base = self.base ?? 0
        func kept(_ key: UInt64) -> Bool {
            isKept(
                Deadline(
                    instant: Instant(secondsSince1970: base + Int64(key >> 32)),
                    slot: UInt32(truncatingIfNeeded: key)))
        }
        let here = ring(current)
        if head > 0 {
            buckets[here].removeFirst(head)
            head = 0
        }
        count = 0
        for i in buckets.indices where !buckets[i].isEmpty {
            buckets[i].removeAll { !kept($0) }
            count += buckets[i].count
            if buckets[i].isEmpty { occupied[i >> 6] &= ~(1 << UInt64(i & 63)) }
        }
        var keys = overflow.keys
        keys.removeAll { !kept($0) }
        count += keys.count
        overflow.assign(keys)
        var late = currentLate.keys
        late.removeAll { !kept($0) }
        count += late.count
        currentLate.assign(late)
    }

    // MARK: - Mechanics

    @inline(__always)
    private func ring(_ bucket: UInt64) -> Int { Int(truncatingIfNeeded: bucket) & (Self.window - 1) }

    @inline(__always)
    private func unpack(_ key: UInt64) -> Deadline {
        Deadline(
            instant: Instant(secondsSince1970: (base ?? 0) + Int64(key >> 32)),
            slot: UInt32(truncatingIfNeeded: key))
    }

    /// Puts a packed key where it belongs: the current bucket (in order), a later one, or the overflow.
    private mutating func place(_ key: UInt64) {
        let bucket = max(key >> (32 + Self.bucketShift), current)
        guard bucket < current + UInt64(Self.window) else {
            overflow.insert(key)
            return
        }
        let index = ring(bucket)
        if bucket == current && currentSorted {
            currentLate.insert(key)
            return
        } else {
            buckets[index].append(key)
        }
        occupied[index >> 6] |= 1 << UInt64(index & 63)
    }

    /// Makes `buckets[current]` hold the earliest deadline, sorted. False when the queue is empty.
    private mutating func settle() -> Bool {
        guard count > 0 else { return false }
        var index = ring(current)
        if head < buckets[index].count || currentLate.count > 0 {
            if !currentSorted {
                buckets[index].sort()
                currentSorted = true
            }
            return true
        }
        // The current bucket is used up: empty it and move on.
        buckets[index].removeAll(keepingCapacity: true)
        occupied[index >> 6] &= ~(1 << UInt64(index & 63))
        head = 0
        currentSorted = false
        if let next = nextOccupied(after: current) {
            current = next
        } else if let top = overflow.first {
            current = top >> (32 + Self.bucketShift)
        }
        // Deadlines the window now reaches leave the overflow.
        while let top = overflow.first, top >> (32 + Self.bucketShift) < current + UInt64(Self.window) {
            _ = overflow.popFirst()
            place(top)
        }
        index = ring(current)
        buckets[index].sort()
        currentSorted = true
        return true
    }

    /// The first occupied bucket after `bucket` within the window.
    private func nextOccupied(after bucket: UInt64) -> UInt64? {
        let words = occupied.count
        var position = ring(bucket + 1)
        var scanned = 0
        while scanned < Self.window {
            let word = position >> 6
            let bits = occupied[word] >> UInt64(position & 63)
            if bits != 0 {
                let found = position + bits.trailingZeroBitCount
                let distance = (found - ring(bucket + 1) + Self.window) & (Self.window - 1)
                return bucket + 1 + UInt64(distance)
            }
            scanned += 64 - (position & 63)
            position = ((word + 1) % words) << 6
        }
        return nil
    }

    /// Moves the base to 34 years before `instant`, re-placing what is queued. Time moves forward,
    /// so this happens on the first insert and practically never again.
    private mutating func rebase(below instant: Int64) {
        let newBase = instant - (1 << 30)
        var keys: [UInt64] = []
        if let old = base {
            let from = ring(current)
            keys.append(contentsOf: buckets[from][head...])
            for i in buckets.indices where i != from { keys.append(contentsOf: buckets[i]) }
            keys.append(contentsOf: overflow.keys)
            keys.append(contentsOf: currentLate.keys)
            keys = keys.map { key in
                let offset = min(old + Int64(key >> 32) - newBase, Int64(UInt32.max))
                return UInt64(offset) << 32 | (key & 0xFFFF_FFFF)
            }
        }
        let saved = count
        removeAll()
        base = newBase
        current = keys.map { $0 >> (32 + Self.bucketShift) }.min() ?? 0
        for key in keys { place(key) }
        count = saved
    }
}

/// A 4-ary min-heap of packed keys, with branch-free child selection: the queue's overflow for
/// deadlines beyond its window of buckets.
struct PackedHeap: Sendable {
    private(set) var keys: ContiguousArray<UInt64> = []

    var count: Int { keys.count }
    var first: UInt64? { keys.first }

    mutating func insert(_ key: UInt64) {
        keys.append(key)
        keys.withUnsafeMutableBufferPointer { h in
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

    mutating func popFirst() -> UInt64? {
        guard let top = keys.first else { return nil }
        let last = keys.removeLast()
        if !keys.isEmpty {
            keys.withUnsafeMutableBufferPointer { h in Self.siftDown(h, from: 0, value: last) }
        }
        return top
    }

    /// Replaces the keys (any order) and restores heap order in O(n).
    mutating func assign(_ newKeys: ContiguousArray<UInt64>) {
        keys = newKeys
        guard keys.count > 1 else { return }
        keys.withUnsafeMutableBufferPointer { h in
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
