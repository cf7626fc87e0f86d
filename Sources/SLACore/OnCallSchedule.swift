/// Someone slad may notify: a key in the configuration's `people`.
public struct OnCallPerson: Sendable, Equatable {
    /// The key people are named by in layers, fallbacks, overrides and rules (`alice`).
    public var id: String
    /// The display name, when given (`Alice Adams`).
    public var displayName: String?
    /// Her zone, for local times in what she is sent; nil when not given.
    public var zone: ZoneRules?
    /// How to reach her, by channel (`email`, `phone`, `chat`), in configuration order.
    public var contacts: [Contact]

    /// One way to reach a person.
    public struct Contact: Sendable, Equatable {
        public var channel: String
        public var address: String

        public init(channel: String, address: String) {
            self.channel = channel
            self.address = address
        }
    }

    public init(id: String, displayName: String? = nil, zone: ZoneRules? = nil, contacts: [Contact] = []) {
        self.id = id
        self.displayName = displayName
        self.zone = zone
        self.contacts = contacts
    }
}

/// How long one turn of a rotation lasts, counted on the team's wall clock.
///
/// Days and weeks are local calendar days: a daily 09:00 handoff stays at 09:00 across a
/// daylight-saving change, so that day's turn lasts 23 or 25 hours. Hours are wall-clock hours too:
/// a 12-hour rotation handing off at 08:00 and 20:00 keeps those times, and the turn over the
/// fall-back night lasts 13 hours.
public enum TurnLength: Sendable, Equatable, CustomStringConvertible {
    case hours(Int)
    case days(Int)
    case weeks(Int)

    /// Local wall-clock seconds of one turn.
    public var seconds: Int64 {
        switch self {
        case .hours(let n): return Int64(n) * 3_600
        case .days(let n): return Int64(n) * 86_400
        case .weeks(let n): return Int64(n) * 604_800
        }
    }

    /// `1w`, `2d`, `12h`, as written in the configuration.
    public var description: String {
        switch self {
        case .hours(let n): return "\(n)h"
        case .days(let n): return "\(n)d"
        case .weeks(let n): return "\(n)w"
        }
    }

    /// Parses `Nw`, `Nd` or `Nh` with N a positive whole number up to 10 years' worth; nil otherwise.
    public static func parse(_ text: String) -> TurnLength? {
        guard let unit = text.last, text.count >= 2 else { return nil }
        let digits = text.dropLast()
        guard digits.utf8.allSatisfy({ (0x30...0x39).contains($0) }), digits.count <= 6, let n = Int(digits), n > 0
        else { return nil }
        let length: TurnLength
        switch unit {
        case "h": length = .hours(n)
        case "d": length = .days(n)
        case "w": length = .weeks(n)
        default: return nil
        }
        return length.seconds <= 87_600 * 3_600 ? length : nil
    }
}

/// A local wall-clock date and time without a zone (`2026-11-30 09:00`), as seconds since local
/// 1970-01-01 00:00.
public struct LocalDateTime: Sendable, Equatable, Comparable, CustomStringConvertible {
    public var secondsSinceLocalEpoch: Int64

    public init(secondsSinceLocalEpoch: Int64) {
        self.secondsSinceLocalEpoch = secondsSinceLocalEpoch
    }

    public init(date: LocalDate, hour: Int, minute: Int) {
        self.secondsSinceLocalEpoch = date.dayNumber * 86_400 + Int64(hour * 3_600 + minute * 60)
    }

    public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
        lhs.secondsSinceLocalEpoch < rhs.secondsSinceLocalEpoch
    }

    /// `YYYY-MM-DD HH:MM`.
    public var description: String {
        let day = CivilDate.floorDiv(secondsSinceLocalEpoch, 86_400)
        let (y, m, d) = CivilDate.date(days: day)
        let second = Int(secondsSinceLocalEpoch - day * 86_400)
        return "\(Timestamp.pad(Int(y), 4))-\(Timestamp.pad(Int(m), 2))-\(Timestamp.pad(Int(d), 2)) "
            + "\(Timestamp.pad(second / 3_600, 2)):\(Timestamp.pad(second / 60 % 60, 2))"
    }
}

/// One layer of a team's schedule: members taking turns of a fixed wall-clock length.
public struct RotationLayer: Sendable, Equatable {
    public var name: String
    /// Person ids in rotation order; `members[0]` takes the turn starting at `start`.
    public var members: [String]
    public var every: TurnLength
    /// The first handoff, on the team's wall clock. The layer covers nothing before it.
    public var start: LocalDateTime
    /// Seven lists of local windows, Monday first, in which the layer is on call; nil for always.
    /// Windows of one day are sorted and do not overlap (the loader refuses overlaps).
    public var active: [[ServiceWindow]]?

    public init(
        name: String, members: [String], every: TurnLength, start: LocalDateTime, active: [[ServiceWindow]]? = nil
    ) {
        self.name = name
        self.members = members
        self.every = every
        self.start = start
        self.active = active
    }
}

/// A team with an on-call schedule: layers in increasing precedence and an optional fallback.
public struct OnCallTeam: Sendable {
    public var name: String
    /// Handoffs and active hours are wall-clock times in this zone.
    public var zone: ZoneRules
    /// A later layer wins over an earlier one wherever it covers.
    public var layers: [RotationLayer]
    /// Who is on call where no layer covers; nil leaves a gap there.
    public var fallback: String?

    public init(name: String, zone: ZoneRules, layers: [RotationLayer], fallback: String? = nil) {
        self.name = name
        self.zone = zone
        self.layers = layers
        self.fallback = fallback
    }

    /// Every person the team's schedule may name, without repeats, in first-mention order.
    public var personIDs: [String] {
        var seen = Set<String>()
        var ids: [String] = []
        for id in layers.flatMap(\.members) + (fallback.map { [$0] } ?? []) where seen.insert(id).inserted {
            ids.append(id)
        }
        return ids
    }
}

/// One person standing in for a team's schedule over `[start, end)`.
public struct OnCallOverride: Sendable, Equatable, Codable {
    /// `ov-3`: stable, what `RemoveOverride` names.
    public var id: String
    public var team: String
    public var person: String
    public var start: Instant
    public var end: Instant

    public init(id: String, team: String, person: String, start: Instant, end: Instant) {
        self.id = id
        self.team = team
        self.person = person
        self.start = start
        self.end = end
    }

    enum CodingKeys: String, CodingKey { case id, team, person, start, end }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func instant(_ key: CodingKeys) throws -> Instant {
            let text = try c.decode(String.self, forKey: key)
            guard let value = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "\"\(text)\" is not an RFC 3339 instant")
            }
            return value
        }
        self.init(
            id: try c.decode(String.self, forKey: .id), team: try c.decode(String.self, forKey: .team),
            person: try c.decode(String.self, forKey: .person), start: try instant(.start), end: try instant(.end))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(team, forKey: .team)
        try c.encode(person, forKey: .person)
        try c.encode(start.description, forKey: .start)
        try c.encode(end.description, forKey: .end)
    }
}

/// Why someone is on call: the rule of ``OnCallSchedule`` that picked them.
public enum OnCallSource: Sendable, Hashable {
    /// An override, by id; the newest covering override wins over everything else.
    case override(String)
    /// The last layer whose active hours cover the instant, by name.
    case layer(String)
    /// No layer covers: the team's fallback.
    case fallback
    /// Nobody: no override, no layer, no fallback.
    case nobody
}

/// A stretch of a team's final schedule: one person (or nobody) for one reason over `[start, end)`.
public struct OnCallShift: Sendable, Hashable {
    public var person: String?
    public var source: OnCallSource
    public var start: Instant
    public var end: Instant

    public init(person: String?, source: OnCallSource, start: Instant, end: Instant) {
        self.person = person
        self.source = source
        self.start = start
        self.end = end
    }
}

/// Who is on call at one instant, as indices, so a lookup allocates nothing.
public struct OnCallAnswer: Sendable, Equatable {
    /// Index into ``OnCallSchedule/people``; -1 for nobody.
    public var person: Int32
    /// Index into ``OnCallSchedule/sources``.
    public var source: Int32
}

/// A team's schedule with its overrides, compiled for fast lookups.
///
/// Who is on call at instant T: the newest override covering T; else the **last** layer whose
/// active hours cover T (a layer covers from its start on); else the fallback; else nobody.
/// Turn k of a layer begins at the instant its local handoff time `start + k * every` first shows on
/// the team's wall clock: at a time skipped by spring forward, the first instant after the gap; at a
/// repeated time, its first occurrence. So each turn ends where the next begins.
public struct OnCallSchedule: Sendable {
    public let team: OnCallTeam
    /// Person ids the answers index, without repeats.
    public let people: [String]
    /// Sources the answers index: overrides (one each), then layers in order, fallback, nobody.
    public let sources: [OnCallSource]

    private let wallClock: WallClock
    private let layers: [CompiledLayer]
    /// Overrides flattened to disjoint pieces, newest winning, sorted by start.
    private let pieceStart: [Int64]
    private let pieceEnd: [Int64]
    private let pieceOverride: [Int32]
    private let overridePerson: [Int32]
    private let fallbackPerson: Int32
    private let fallbackSource: Int32
    private let nobodySource: Int32

    /// - Parameter overrides: this team's overrides, oldest first: a later one wins where they overlap.
    ///   Overrides with `end <= start` cover nothing.
    public init(team: OnCallTeam, overrides: [OnCallOverride] = []) {
        self.team = team
        var people: [String] = []
        var personIndex: [String: Int32] = [:]
        func index(_ id: String) -> Int32 {
            if let i = personIndex[id] { return i }
            personIndex[id] = Int32(people.count)
            people.append(id)
            return Int32(people.count - 1)
        }
        let valid = overrides.filter { $0.end > $0.start }
        var sources: [OnCallSource] = valid.map { .override($0.id) }
        self.overridePerson = valid.map { index($0.person) }
        self.wallClock = WallClock(team.zone)
        var layers: [CompiledLayer] = []
        for layer in team.layers {
            layers.append(
                CompiledLayer(
                    start: layer.start.secondsSinceLocalEpoch, period: layer.every.seconds,
                    members: layer.members.map(index), source: Int32(sources.count), active: layer.active))
            sources.append(.layer(layer.name))
        }
        self.layers = layers
        self.fallbackPerson = team.fallback.map(index) ?? -1
        self.fallbackSource = Int32(sources.count)
        sources.append(.fallback)
        self.nobodySource = Int32(sources.count)
        sources.append(.nobody)
        self.people = people
        self.sources = sources

        // Flatten: between consecutive boundaries the newest covering override wins.
        let bounds = Array(Set(valid.flatMap { [$0.start.secondsSince1970, $0.end.secondsSince1970] })).sorted()
        var starts: [Int64] = []
        var ends: [Int64] = []
        var owners: [Int32] = []
        for (lo, hi) in zip(bounds, bounds.dropFirst()) {
            guard
                let owner = valid.lastIndex(where: {
                    $0.start.secondsSince1970 <= lo && hi <= $0.end.secondsSince1970
                })
            else { continue }
            if let last = ends.last, last == lo, owners.last == Int32(owner) {
                ends[ends.count - 1] = hi
            } else {
                starts.append(lo)
                ends.append(hi)
                owners.append(Int32(owner))
            }
        }
        self.pieceStart = starts
        self.pieceEnd = ends
        self.pieceOverride = owners
    }

    /// Who is on call at `instant`, and why.
    @inline(__always)
    public func who(at instant: Instant) -> OnCallAnswer {
        let t = instant.secondsSince1970
        // The last piece starting at or before t.
        var lo = 0
        var hi = pieceStart.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if pieceStart[mid] <= t { lo = mid &+ 1 } else { hi = mid }
        }
        if lo > 0, t < pieceEnd[lo - 1] {
            let owner = pieceOverride[lo - 1]
            return OnCallAnswer(person: overridePerson[Int(owner)], source: owner)
        }
        if !layers.isEmpty {
            let (local, highest) = wallClock.localTimes(at: t)
            var i = layers.count - 1
            while i >= 0 {
                if let member = layers[i].member(local: local, highest: highest) {
                    return OnCallAnswer(person: member, source: layers[i].source)
                }
                i -= 1
            }
        }
        if fallbackPerson >= 0 { return OnCallAnswer(person: fallbackPerson, source: fallbackSource) }
        return OnCallAnswer(person: -1, source: nobodySource)
    }

    /// The person id of an answer; nil for nobody.
    public func person(of answer: OnCallAnswer) -> String? {
        answer.person < 0 ? nil : people[Int(answer.person)]
    }

    /// The source of an answer.
    public func source(of answer: OnCallAnswer) -> OnCallSource { sources[Int(answer.source)] }

    /// The instant turn `turn` of layer `layer` begins: its local handoff time resolved on the wall clock.
    public func handoff(layer: Int, turn: Int64) -> Instant {
        Instant(secondsSince1970: wallClock.firstInstant(showing: layers[layer].handoffLocal(turn)))
    }

    /// The team's final schedule over `[from, until)`: ordered, contiguous, every instant covered
    /// (by `.nobody` in a gap), adjacent pieces of the same person and source merged.
    public func shifts(from: Instant, until: Instant) -> [OnCallShift] {
        let a = from.secondsSince1970
        let b = until.secondsSince1970
        guard b > a else { return [] }
        // Per layer: its covered pieces in [a, b); then the winner of each elementary interval.
        let covered = layers.map { pieces(of: $0, from: a, until: b) }
        var bounds: [Int64] = [a, b]
        for list in covered {
            for piece in list {
                bounds.append(piece.start)
                bounds.append(piece.end)
            }
        }
        for (s, e) in zip(pieceStart, pieceEnd) where e > a && s < b {
            bounds.append(max(s, a))
            bounds.append(min(e, b))
        }
        bounds.sort()
        var cursors = Array(repeating: 0, count: layers.count)
        var override = 0
        var shifts: [OnCallShift] = []
        var previous: Int64 = .min
        var current: (start: Int64, person: Int32, source: Int32)?
        func close(at end: Int64) {
            guard let c = current else { return }
            shifts.append(
                OnCallShift(
                    person: c.person < 0 ? nil : people[Int(c.person)], source: sources[Int(c.source)],
                    start: Instant(secondsSince1970: c.start), end: Instant(secondsSince1970: end)))
        }
        for lo in bounds where lo != previous {
            previous = lo
            guard lo < b else { break }
            var person: Int32 = -1
            var source = nobodySource
            while override < pieceEnd.count, pieceEnd[override] <= lo { override += 1 }
            if override < pieceStart.count, pieceStart[override] <= lo {
                let owner = pieceOverride[override]
                person = overridePerson[Int(owner)]
                source = owner
            } else {
                var found = false
                var i = layers.count - 1
                while i >= 0 {
                    let list = covered[i]
                    while cursors[i] < list.count, list[cursors[i]].end <= lo { cursors[i] += 1 }
                    if cursors[i] < list.count, list[cursors[i]].start <= lo {
                        person = list[cursors[i]].member
                        source = layers[i].source
                        found = true
                        break
                    }
                    i -= 1
                }
                if !found, fallbackPerson >= 0 {
                    person = fallbackPerson
                    source = fallbackSource
                }
            }
            if let c = current, c.person == person, c.source == source { continue }
            close(at: lo)
            current = (lo, person, source)
        }
        close(at: b)
        return shifts
    }

    /// A layer's covered stretches in `[a, b)`: its turns cut to its active hours.
    private func pieces(of layer: CompiledLayer, from a: Int64, until b: Int64) -> [CoveredPiece] {
        let first = max(layer.turn(highest: wallClock.localTimes(at: a).highest), 0)
        var turns: [CoveredPiece] = []
        var turn = first
        var begin = wallClock.firstInstant(showing: layer.handoffLocal(turn))
        while begin < b {
            let end = wallClock.firstInstant(showing: layer.handoffLocal(turn + 1))
            if end > a {
                turns.append(CoveredPiece(start: max(begin, a), end: min(end, b), member: layer.member(turn: turn)))
            }
            turn += 1
            begin = end
        }
        guard let active = layer.active, !turns.isEmpty else { return turns }
        // Active stretches on the wall clock, as UTC intervals, sorted and merged where they touch.
        var windows: [(Int64, Int64)] = []
        let firstDay = CivilDate.floorDiv(turns[0].start + WallClock.earliestOffset, 86_400)
        let lastDay = CivilDate.floorDiv(b + WallClock.latestOffset, 86_400)
        var day = firstDay
        while day <= lastDay {
            let midnight = day * 86_400
            for window in active[CivilDate.weekday(days: day)] {
                wallClock.forEachInterval(
                    localStart: midnight + Int64(window.start), localEnd: midnight + Int64(window.end)
                ) { windows.append(($0, $1)) }
            }
            day += 1
        }
        windows.sort { $0.0 < $1.0 }
        var merged: [(Int64, Int64)] = []
        for w in windows {
            if let last = merged.last, w.0 <= last.1 {
                merged[merged.count - 1].1 = max(last.1, w.1)
            } else {
                merged.append(w)
            }
        }
        var result: [CoveredPiece] = []
        var j = 0
        for piece in turns {
            while j < merged.count, merged[j].1 <= piece.start { j += 1 }
            var k = j
            while k < merged.count, merged[k].0 < piece.end {
                let s = max(merged[k].0, piece.start)
                let e = min(merged[k].1, piece.end)
                if e > s { result.append(CoveredPiece(start: s, end: e, member: piece.member)) }
                k += 1
            }
        }
        return result
    }
}

private struct CoveredPiece {
    var start: Int64
    var end: Int64
    var member: Int32
}

/// A layer reduced to numbers: handoff k is at local `start + k * period`.
private struct CompiledLayer: Sendable {
    let start: Int64
    let period: Int64
    let members: [Int32]
    let source: Int32
    /// Per weekday, windows as seconds since local midnight (flattened like BusinessCalendar's).
    let windowStart: [Int32]
    let windowEnd: [Int32]
    let weekStart: [Int]
    let active: [[ServiceWindow]]?

    init(start: Int64, period: Int64, members: [Int32], source: Int32, active: [[ServiceWindow]]?) {
        self.start = start
        self.period = period
        self.members = members
        self.source = source
        self.active = active
        var starts: [Int32] = []
        var ends: [Int32] = []
        var weekStart = [0]
        for day in active ?? [] {
            for window in day.sorted() {
                starts.append(window.start)
                ends.append(window.end)
            }
            weekStart.append(starts.count)
        }
        self.windowStart = starts
        self.windowEnd = ends
        self.weekStart = weekStart
    }

    @inline(__always)
    func handoffLocal(_ turn: Int64) -> Int64 { start + turn * period }

    /// The turn in progress when the wall clock has shown at most `highest`; negative before the start.
    @inline(__always)
    func turn(highest: Int64) -> Int64 { CivilDate.floorDiv(highest - start, period) }

    @inline(__always)
    func member(turn: Int64) -> Int32 {
        let n = Int64(members.count)
        let r = turn % n
        return members[Int(r < 0 ? r + n : r)]
    }

    /// The member on call, or nil when the layer does not cover: before its start or outside its hours.
    @inline(__always)
    func member(local: Int64, highest: Int64) -> Int32? {
        guard highest >= start, !members.isEmpty else { return nil }
        if active != nil {
            let day = CivilDate.floorDiv(local, 86_400)
            let second = Int32(truncatingIfNeeded: local - day * 86_400)
            let weekday = CivilDate.weekday(days: day)
            var covered = false
            var w = weekStart[weekday]
            let end = weekStart[weekday + 1]
            while w < end {
                if windowStart[w] <= second && second < windowEnd[w] {
                    covered = true
                    break
                }
                w += 1
            }
            guard covered else { return nil }
        }
        return member(turn: turn(highest: highest))
    }
}

/// A zone's wall clock as the rotations need it, built from the zone's ``ZoneRules``.
///
/// Besides the local time an instant shows, a handoff needs the *highest* local time shown so far:
/// turn k has begun at T exactly when the wall clock has, at or before T, shown local time
/// `start + k * every`. Taking the highest time shown resolves both irregular cases at once: a time
/// skipped by spring forward is first reached when the gap ends, and a repeated time is reached at
/// its first occurrence, so the second pass through the repeated hour hands off nothing again.
struct WallClock: Sendable {
    /// Transition instants, ascending; span i is `[transitions[i - 1], transitions[i])`.
    private let transitions: [Int64]
    /// `offsets[i]` is the UTC offset in span i.
    private let offsets: [Int64]
    /// `highWater[i]`: the highest local second shown before span i (Int64.min for span 0).
    private let highWater: [Int64]

    /// No zone is further than this from UTC; bounds for scanning local days.
    static let earliestOffset: Int64 = -26 * 3_600
    static let latestOffset: Int64 = 26 * 3_600

    init(_ zone: ZoneRules) {
        var transitions: [Int64] = []
        var offsets: [Int64] = []
        var span = 0
        while true {
            let next = zone.nextTransition(after: span)
            guard next != Int64.max else { break }
            transitions.append(next)
            offsets.append(Int64(zone.offset(utc: next - 1)))
            span += 1
        }
        offsets.append(Int64(zone.offset(utc: transitions.last ?? 0)))
        var highWater: [Int64] = [Int64.min]
        for (i, t) in transitions.enumerated() { highWater.append(max(highWater[i], t - 1 + offsets[i])) }
        self.transitions = transitions
        self.offsets = offsets
        self.highWater = highWater
    }

    @inline(__always)
    private func span(at utc: Int64) -> Int {
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo &+ hi) >> 1
            if transitions[mid] <= utc { lo = mid &+ 1 } else { hi = mid }
        }
        return lo
    }

    /// The local time `utc` shows, and the highest local time shown at or before it.
    @inline(__always)
    func localTimes(at utc: Int64) -> (local: Int64, highest: Int64) {
        let i = span(at: utc)
        let local = utc + offsets[i]
        return (local, max(local, highWater[i]))
    }

    /// The first instant at which the wall clock has shown `local` or later: after a gap, the gap's
    /// end; in a repeated hour, the first occurrence.
    func firstInstant(showing local: Int64) -> Int64 {
        // The first span whose local times reach `local`: highWater[i + 1] >= local.
        var lo = 0
        var hi = transitions.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if highWater[mid + 1] >= local { hi = mid } else { lo = mid + 1 }
        }
        let spanStart = lo == 0 ? Int64.min : transitions[lo - 1]
        return max(spanStart, local - offsets[lo])
    }

    /// Calls `body` with each UTC interval whose instants show a local time in `[localStart, localEnd)`.
    func forEachInterval(localStart a: Int64, localEnd b: Int64, _ body: (Int64, Int64) -> Void) {
        var i = span(at: a - Self.latestOffset)
        while i <= transitions.count {
            let spanStart = i == 0 ? Int64.min : transitions[i - 1]
            if spanStart >= b - Self.earliestOffset { break }
            let spanEnd = i == transitions.count ? Int64.max : transitions[i]
            let from = max(a - offsets[i], spanStart)
            let to = min(b - offsets[i], spanEnd)
            if to > from { body(from, to) }
            i += 1
        }
    }
}
