/// A time zone's UTC offsets as a table of transitions: what the calendars count service hours in.
///
/// Built from a TZif file of the system's tzdata (``init(name:tzif:)``), so the rules follow the
/// distribution's updates rather than the toolchain's bundled ICU data, which lagged by a year and
/// put due instants an hour off where rules had changed. The table holds the file's transitions and,
/// past them, those of its footer rule through the year 2399; beyond that the last offset holds.
///
/// `TimeZone.secondsFromGMT(for:)` costs about a microsecond; a table lookup with a moving cursor
/// costs a few nanoseconds, which is what two million due computations a second need.
public struct ZoneRules: Sendable, Equatable {
    /// The zone's name as configured (`Europe/Berlin`).
    public let name: String
    /// Transition instants (UTC seconds), ascending; offset `offsets[i + 1]` applies from `transitions[i]`.
    private let transitions: [Int64]
    /// `offsets[0]` applies before the first transition.
    private let offsets: [Int32]
    /// `localEnds[i]`: local wall-clock second at which the span of `offsets[i]` ends.
    private let localEnds: [Int64]

    /// The first instant the table does not cover: 2400-01-01T00:00:00Z.
    public static let tableEnd: Int64 = 13_569_465_600

    /// Rules from an offset and the changes after it, in time order; a change to the offset already
    /// in force is dropped (a change of abbreviation or of the DST flag alone moves no clock).
    ///
    /// - Precondition: `changes` ascend strictly by instant.
    public init(name: String, initialOffset: Int32, changes: [(at: Int64, offset: Int32)]) {
        var transitions: [Int64] = []
        var offsets: [Int32] = [initialOffset]
        transitions.reserveCapacity(changes.count)
        offsets.reserveCapacity(changes.count + 1)
        var previous = Int64.min
        for change in changes {
            precondition(change.at > previous, "zone transitions ascend")
            previous = change.at
            guard change.offset != offsets[offsets.count - 1] else { continue }
            transitions.append(change.at)
            offsets.append(change.offset)
        }
        self.name = name
        self.transitions = transitions
        self.offsets = offsets
        var localEnds: [Int64] = []
        localEnds.reserveCapacity(transitions.count + 1)
        for (i, t) in transitions.enumerated() { localEnds.append(t + Int64(offsets[i])) }
        localEnds.append(Int64.max)
        self.localEnds = localEnds
    }

    /// A zone with one offset for all time.
    public static func fixed(name: String, offset: Int32) -> ZoneRules {
        ZoneRules(name: name, initialOffset: offset, changes: [])
    }

    /// Coordinated Universal Time: needs no file, so `timezone: UTC` works on any machine.
    public static let utc = ZoneRules.fixed(name: "UTC", offset: 0)

    /// The UTC offset at an instant, in seconds.
    public func offset(utc: Int64) -> Int32 { offsets[index(for: utc)] }

    /// The changes of offset, in time order, with the offset in force before the first.
    public var changes: (initialOffset: Int32, changes: [(at: Int64, offset: Int32)]) {
        (offsets[0], zip(transitions, offsets.dropFirst()).map { (at: $0, offset: $1) })
    }

    /// The span index in force at a UTC instant.
    func index(for utc: Int64) -> Int {
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if transitions[mid] <= utc { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The first transition after span `index`; `Int64.max` when none follows.
    func nextTransition(after index: Int) -> Int64 {
        index < transitions.count ? transitions[index] : Int64.max
    }

    /// The local day numbers an instant's neighbourhood may show: its own, and the one the previous
    /// offset gave when a transition happened less than a day ago (a repeated hour can cross midnight).
    func localDays(around utc: Int64, index: Int) -> ClosedRange<Int64> {
        let own = CivilDate.floorDiv(utc + Int64(offsets[index]), 86_400)
        guard index > 0, utc - transitions[index - 1] < 86_400 else { return own...own }
        let before = CivilDate.floorDiv(utc + Int64(offsets[index - 1]), 86_400)
        return min(own, before)...max(own, before)
    }

    /// Calls `body` with each UTC interval `[from, to)` whose instants show a local wall-clock time
    /// inside `[localStart, localEnd)`, in order, until `body` returns true.
    ///
    /// Usually one interval. Across a transition the local range may map to less (the skipped
    /// hour has no instants) or to two intervals (the repeated hour happens twice, and both count).
    /// `cursor` is a span index near the answer; walking forward in time moves it a step at most.
    /// - Returns: whether `body` stopped the walk.
    @inline(__always)
    func forEachInterval(
        localStart a: Int64,
        localEnd b: Int64,
        cursor: inout Int,
        _ body: (Int64, Int64) -> Bool
    ) -> Bool {
        // The first span whose local range reaches past `a`.
        while a >= localEnds[cursor] { cursor += 1 }
        while cursor > 0, a < localEnds[cursor - 1] { cursor -= 1 }
        var i = cursor
        while true {
            let offset = Int64(offsets[i])
            let spanStart = i == 0 ? Int64.min : transitions[i - 1]
            let spanEnd = i == transitions.count ? Int64.max : transitions[i]
            let from = max(a - offset, spanStart)
            let to = min(b - offset, spanEnd)
            if to > from, body(from, to) { return true }
            i += 1
            guard i < offsets.count, transitions[i - 1] + Int64(offsets[i]) < b else { return false }
        }
    }
}
