/// Which of a ticket's three clocks: the order they take in ``ClockEngine/clocks``.
enum ClockSlot: Int, Sendable, CaseIterable {
    case response = 0
    case resolution = 1
    case line = 2

    /// Clocks per ticket.
    static let count = 3
}

/// Where clock `c` of the ticket in slot `s` lives in ``ClockEngine/clocks``.
@inline(__always)
func clockIndex(_ s: Int, _ c: ClockSlot) -> Int {
    s * ClockSlot.count + c.rawValue
}

/// One clock's state, plain data: the engine keeps all of them in one flat array beside the tickets,
/// so that updating a clock in place copies nothing and retains nothing.
struct ClockState: Sendable {
    static let never = Int64.max

    enum Phase: UInt8, Sendable { case running, paused, stopped }

    /// Start of the running segment.
    var since: Int64 = 0
    /// Stored in 32 bits (68 years) to keep a ticket within three cache lines; see `counted`, `target`.
    private var storedCounted: Int32 = 0
    private var storedTarget: Int32 = 0

    /// Service seconds counted before `since`.
    var counted: Int64 {
        get { Int64(storedCounted) }
        set { storedCounted = Int32(clamping: newValue) }
    }

    /// Counted seconds to reach; 0 when the agreement sets no target for the priority.
    /// The loader refuses targets over ten years, so they fit.
    var target: Int64 {
        get { Int64(storedTarget) }
        set { storedTarget = Int32(clamping: newValue) }
    }
    /// The breach instant while running; the instant it breached at once breached.
    var due: Int64 = never
    /// The instant of the armed threshold, to recognise stale deadlines.
    var armed: Int64 = never
    var calendar: UInt16 = 0
    var agreement: UInt16
    /// Index in `CompiledRules.thresholds` of the next threshold to fire; thresholds fire in
    /// ascending order, so this is all the history a clock run needs.
    var next: UInt16 = 0
    /// Phase in bits 0-1, breached in bit 2: one byte, so a clock takes 40 bytes.
    private var flags: UInt8 = Phase.stopped.rawValue

    var phase: Phase {
        get { Phase(rawValue: flags & 3) ?? .stopped }
        set { flags = flags & ~3 | newValue.rawValue }
    }

    var breached: Bool {
        get { flags & 4 != 0 }
        set { flags = newValue ? flags | 4 : flags & ~4 }
    }

    init(agreement: UInt16) {
        self.agreement = agreement
    }

    static let vacant = ClockState(agreement: 0)
}

struct Ticket: Sendable {
    /// Empty for a vacant slot.
    var id: String
    /// The pause reason's bit in the agreements' pause masks; 0 when not paused or no agreement honours it.
    var pauseBit: UInt64 = 0
    /// Hierarchical rules that fired for this ticket (bit = rule index).
    var hierarchicalFired: UInt64 = 0
    /// Instant of the ticket's earliest queued deadline; `ClockState.never` when none is queued.
    var armed: Int64 = ClockState.never
    var sla: UInt16 = 0
    var priority: UInt8 = 0
    var line: UInt8 = 1
    var isResolved = false
    // Small fields last: Swift lays fields out in order, and this keeps a ticket at 48 bytes.
    var isPaused = false

    static let vacant = Ticket(id: "")
}
