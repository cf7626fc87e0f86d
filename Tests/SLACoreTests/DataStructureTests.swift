import SLATestKit
import Testing

@testable import SLACore

@Suite("Deadline queue and ticket index")
struct DataStructureTests {
    /// Spreads: within one bucket's reach, within the window of buckets, and far beyond it (overflow).
    @Test(
        "deadlines come out in (instant, slot) order, interleaved with inserts and filtering",
        arguments: [Int64(50), Int64(5_000), Int64(60 * 86_400)])
    func queueOrder(_ spread: Int64) {
        var rng = SplitMix(seed: 99 &+ UInt64(spread))
        var queue = DeadlineQueue()
        var reference: [Deadline] = []
        var now: Int64 = 1_772_438_400
        for round in 0..<8_000 {
            // Time only moves forward: new deadlines are at or after the last one taken out.
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let deadline = Deadline(
                    instant: Instant(secondsSince1970: now + Int64.random(in: 0...spread, using: &rng)),
                    slot: UInt32.random(in: 0..<50, using: &rng))
                queue.insert(deadline)
                reference.append(deadline)
            }
            if round % 2_000 == 1_999 {
                queue.filter { $0.slot % 3 != 0 }
                reference.removeAll { $0.slot % 3 == 0 }
            }
            if Bool.random(using: &rng), let expected = reference.min() {
                #expect(queue.first() == expected)
                let popped = queue.popFirst()
                #expect(popped == expected)
                reference.remove(at: reference.firstIndex(of: expected)!)
                now = expected.instant.secondsSince1970
            }
            #expect(queue.count == reference.count)
        }
        while let expected = reference.min() {
            #expect(queue.popFirst() == expected)
            reference.remove(at: reference.firstIndex(of: expected)!)
        }
        #expect(queue.isEmpty)
        #expect(queue.popFirst() == nil)
    }

    @Test("sparse deadlines days to weeks apart come out in order as the window of buckets slides")
    func queueSparse() {
        var rng = SplitMix(seed: 5)
        for _ in 0..<200 {
            var queue = DeadlineQueue()
            var reference: [Deadline] = []
            var now: Int64 = 1_772_438_400
            for step in 0..<40 {
                // A few deadlines from minutes to six weeks ahead of the last one taken out.
                for _ in 0..<Int.random(in: 0...3, using: &rng) {
                    let ahead = [60, 3_600, 86_400, 9 * 86_400, 13 * 86_400, 42 * 86_400][Int.random(in: 0..<6, using: &rng)]
                    let deadline = Deadline(
                        instant: Instant(secondsSince1970: now + Int64.random(in: 0...Int64(ahead), using: &rng)),
                        slot: UInt32(step))
                    queue.insert(deadline)
                    reference.append(deadline)
                }
                if let expected = reference.min(), Bool.random(using: &rng) {
                    #expect(queue.popFirst() == expected)
                    reference.remove(at: reference.firstIndex(of: expected)!)
                    now = expected.instant.secondsSince1970
                }
            }
            while let expected = reference.min() {
                #expect(queue.popFirst() == expected)
                reference.remove(at: reference.firstIndex(of: expected)!)
            }
            #expect(queue.isEmpty)
        }
    }

    @Test("a clock takes 40 bytes and a ticket 48, so an open ticket's state fits in three cache lines")
    func compactState() {
        #expect(MemoryLayout<ClockState>.stride == 40)
        #expect(MemoryLayout<Ticket>.stride == 48)
    }

    @Test("the queue tells which slots come next in the bucket time has reached, for prefetching")
    func queueLookAhead() {
        var queue = DeadlineQueue()
        let now = Instant(secondsSince1970: 1_772_438_400)
        // The first insert sets the queue's base, so the earliest goes first to keep the three in one bucket.
        for (offset, slot) in [(1, 3), (5, 7), (3, 9), (100_000, 4)] {
            queue.insert(Deadline(instant: now + Int64(offset), slot: UInt32(slot)))
        }
        #expect(queue.first()?.slot == 3)
        #expect(queue.slot(ahead: 0) == 3)
        #expect(queue.slot(ahead: 1) == 9)
        #expect(queue.slot(ahead: 2) == 7)
        #expect(queue.slot(ahead: 3) == nil, "beyond the current bucket")
        _ = queue.popFirst()
        #expect(queue.slot(ahead: 0) == 9)
    }

    @Test("a deadline further ahead than the queue can hold comes out at its limit, after all others")
    func queueFarFuture() {
        var queue = DeadlineQueue()
        let now = Instant(secondsSince1970: 1_772_438_400)
        queue.insert(Deadline(instant: .distantFuture, slot: 1))
        queue.insert(Deadline(instant: now + 60, slot: 2))
        queue.insert(Deadline(instant: now, slot: 3))
        #expect(queue.popFirst() == Deadline(instant: now, slot: 3))
        #expect(queue.popFirst() == Deadline(instant: now + 60, slot: 2))
        let far = queue.popFirst()
        #expect(far?.slot == 1)
        #expect(far.map { $0.instant > now + 100 * 365 * 86_400 } == true)
        #expect(far?.instant != .distantFuture, "the engine sees it as stale")
    }

    @Test("the ticket index finds, adds and removes ids as a dictionary does", arguments: [16, 1_000, 20_000])
    func index(_ population: Int) {
        var rng = SplitMix(seed: UInt64(population))
        var ids: [String] = []
        var index = TicketIndex()
        var reference: [String: UInt32] = [:]
        var free: [UInt32] = []
        for _ in 0..<(population * 4) {
            let name = "INC-\(Int.random(in: 0..<population, using: &rng))"
            let lookup: (UInt32) -> String = { ids[Int($0)] }
            if let slot = reference[name] {
                #expect(index.find(name, ids: lookup) == slot)
                if Bool.random(using: &rng) {
                    index.remove(name, ids: lookup)
                    reference[name] = nil
                    ids[Int(slot)] = ""
                    free.append(slot)
                }
            } else {
                #expect(index.find(name, ids: lookup) == nil)
                let slot: UInt32
                if let reused = free.popLast() {
                    slot = reused
                    ids[Int(slot)] = name
                } else {
                    slot = UInt32(ids.count)
                    ids.append(name)
                }
                index.insert(name, slot: slot) { ids[Int($0)] }
                reference[name] = slot
            }
            #expect(index.count == reference.count)
        }
        for (name, slot) in reference {
            #expect(index.find(name) { ids[Int($0)] } == slot)
        }
    }
}
