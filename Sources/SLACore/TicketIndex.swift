import CPrefetch

/// Ticket id -> slot, as an open-addressing hash table of slot numbers.
///
/// A `[String: UInt32]` keeps a copy of every id beside the engine's own and hashes with SipHash;
/// this table stores 4 bytes a bucket, compares against the id the ticket already holds, and
/// hashes with FNV-1a plus a final mix, seeded per process so crafted ids cannot pile up on
/// purpose. Deletion shifts the following entries back, so no tombstones accumulate.
struct TicketIndex: Sendable {
    private static let empty = UInt32.max

    private var buckets: ContiguousArray<UInt32>
    private var mask: Int
    private let seed: UInt64
    private(set) var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        buckets = ContiguousArray(repeating: Self.empty, count: size)
        mask = size - 1
        seed = UInt64.random(in: 0...UInt64.max)
    }

    /// Grows to hold `n` ids at a load factor of one half or less.
    mutating func reserveCapacity(_ n: Int, ids: (UInt32) -> String) {
        guard n * 2 > buckets.count else { return }
        var size = buckets.count
        while size < n * 2 { size <<= 1 }
        rehash(size, ids: ids)
    }

    @inline(__always)
    private func hash(_ id: String) -> Int {
        var h = 0xcbf2_9ce4_8422_2325 ^ seed
        let hashed: Void? = id.utf8.withContiguousStorageIfAvailable { bytes in
            for byte in bytes { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        if hashed == nil {
            for byte in id.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// Starts loading the bucket where a lookup of `id` begins.
    @inline(__always)
    func prefetch(_ id: String) {
        let i = hash(id) & mask
        buckets.withUnsafeBufferPointer { slad_prefetch($0.baseAddress! + i) }
    }

    /// Whether two ids are the same bytes. Swift's `==` is canonical equivalence while the hash is over
    /// bytes, so with `==` an id and a canonically equivalent one were one ticket or two by chance of
    /// bucket. (SLAWire hands the engine NFC ids, where the two agree.)
    @inline(__always)
    static func same(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
    }

    /// The slot of `id`, given a way to read the id stored in a slot.
    @inline(__always)
    func find(_ id: String, ids: (UInt32) -> String) -> UInt32? {
        var i = hash(id) & mask
        while true {
            let slot = buckets[i]
            if slot == Self.empty { return nil }
            if Self.same(ids(slot), id) { return slot }
            i = (i + 1) & mask
        }
    }

    /// Adds an id known to be absent.
    mutating func insert(_ id: String, slot: UInt32, ids: (UInt32) -> String) {
        makeRoomForOneMore(ids: ids)
        guard case .vacant(let bucket) = probe(id, ids: ids) else { preconditionFailure("\(id) is present") }
        fill(bucket, with: slot)
    }

    /// Where a probe for an id ended: at its slot, or at the empty bucket it would take.
    enum Probe {
        case found(UInt32)
        case vacant(bucket: Int)
    }

    /// Looks an id up once for both answers: opening a ticket needs "absent?" and "where to put it".
    /// Call ``makeRoomForOneMore(ids:)`` first when the answer may be filled.
    @inline(__always)
    func probe(_ id: String, ids: (UInt32) -> String) -> Probe {
        var i = hash(id) & mask
        while true {
            let slot = buckets[i]
            if slot == Self.empty { return .vacant(bucket: i) }
            if Self.same(ids(slot), id) { return .found(slot) }
            i = (i + 1) & mask
        }
    }

    /// Grows the table, if need be, so that one more id keeps the load factor at a half or less.
    mutating func makeRoomForOneMore(ids: (UInt32) -> String) {
        if (count + 1) * 2 > buckets.count { rehash(buckets.count * 2, ids: ids) }
    }

    /// Fills the empty bucket a ``probe(_:ids:)`` returned.
    mutating func fill(_ bucket: Int, with slot: UInt32) {
        buckets[bucket] = slot
        count += 1
    }

    /// Removes an id known to be present.
    mutating func remove(_ id: String, ids: (UInt32) -> String) {
        var i = hash(id) & mask
        while ids(buckets[i]) != id { i = (i + 1) & mask }
        // Backward-shift deletion: move later entries of the probe run into the hole.
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            let slot = buckets[j]
            if slot == Self.empty { break }
            let home = hash(ids(slot)) & mask
            // Move it if its home is not cyclically within (hole, j].
            let distanceToHome = (j - home) & mask
            let distanceToHole = (j - hole) & mask
            if distanceToHome >= distanceToHole {
                buckets[hole] = slot
                hole = j
            }
        }
        buckets[hole] = Self.empty
        count -= 1
    }

    private mutating func rehash(_ size: Int, ids: (UInt32) -> String) {
        let old = buckets
        buckets = ContiguousArray(unsafeUninitializedCapacity: size) { table, initialized in
            HugePages.advise(UnsafeMutableRawPointer(table.baseAddress), bytes: size * MemoryLayout<UInt32>.stride)
            table.initialize(repeating: Self.empty)
            initialized = size
        }
        mask = size - 1
        for slot in old where slot != Self.empty {
            var i = hash(ids(slot)) & mask
            while buckets[i] != Self.empty { i = (i + 1) & mask }
            buckets[i] = slot
        }
    }
}
