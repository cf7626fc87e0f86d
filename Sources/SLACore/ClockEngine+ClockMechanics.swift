/// Clock mechanics: starting, stopping, pausing and re-targeting one clock of one ticket, and the
/// calendar walks that find its due instant and next threshold.
extension ClockEngine {
    /// The thresholds of clock `c` of the ticket in slot `s`: its agreement's, for its kind and line.
    @inline(__always)
    func table(_ s: Int, _ c: ClockSlot) -> CompiledRules.Table {
        let agreement = Int(clocks[clockIndex(s, c)].agreement)
        switch c {
        case .response: return rules.tables[Int(rules.slaTables[agreement].response)]
        case .resolution: return rules.tables[Int(rules.slaTables[agreement].resolution)]
        case .line: return rules.tables[Int(rules.lineTables[Int(tickets[s].line) - 1])]
        }
    }

    func clockID(_ s: Int, _ c: ClockSlot) -> ClockID {
        switch c {
        case .response: return .response
        case .resolution: return .resolution
        case .line: return .line(Int(tickets[s].line))
        }
    }

    /// Starts a clock run from zero at `t`, paused at once if the ticket waits for a reason its agreement honours.
    mutating func start(_ slot: UInt32, _ c: ClockSlot, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        clocks[clockIndex(s, c)].since = t
        clocks[clockIndex(s, c)].counted = 0
        clocks[clockIndex(s, c)].next = table(s, c).start
        clocks[clockIndex(s, c)].breached = false
        setTarget(slot, c)
        if pauses(s, c) {
            clocks[clockIndex(s, c)].phase = .paused
            return
        }
        clocks[clockIndex(s, c)].phase = .running
        refreshDueAndArm(slot, c, &out)
    }

    mutating func startLineClock(_ slot: UInt32, line: Int, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        tickets[s].line = UInt8(line)
        clocks[clockIndex(s, .line)] = ClockState(agreement: rules.lineAgreements[line - 1])
        start(slot, .line, at: t, &out)
    }

    func pauses(_ s: Int, _ c: ClockSlot) -> Bool {
        tickets[s].pauseBit & rules.pauseMasks[Int(clocks[clockIndex(s, c)].agreement)] != 0
    }

    /// Target and calendar for the ticket's current priority.
    mutating func setTarget(_ slot: UInt32, _ c: ClockSlot) {
        let s = Int(slot)
        let target = rules.target(
            agreement: Int(clocks[clockIndex(s, c)].agreement), priority: Int(tickets[s].priority), response: c == .response)
        clocks[clockIndex(s, c)].target = target.seconds
        clocks[clockIndex(s, c)].calendar = target.calendar
    }

    /// Moves the time counted so far into `counted`, so the clock can change target, calendar or phase at `t`.
    mutating func rebase(_ slot: UInt32, _ c: ClockSlot, at t: Int64) {
        let s = Int(slot)
        let clock = clocks[clockIndex(s, c)]
        guard clock.phase == .running else { return }
        clocks[clockIndex(s, c)].counted += rules.calendars[Int(clock.calendar)].counted(
            from: Instant(secondsSince1970: clock.since), to: Instant(secondsSince1970: t))
        clocks[clockIndex(s, c)].since = t
    }

    /// Sets a running clock's due instant and arms its next threshold, finding both in one calendar
    /// walk when the next threshold is a warning before the breach.
    mutating func refreshDueAndArm(_ slot: UInt32, _ c: ClockSlot, _ out: inout EngineOutput) {
        let s = Int(slot)
        let clock = clocks[clockIndex(s, c)]
        guard clock.phase == .running, clock.target > clock.counted, !clock.breached,
            clock.next < table(s, c).end
        else {
            refreshDue(slot, c, emit: true, &out)
            armNext(slot, c)
            return
        }
        let need = (clock.target * Int64(rules.thresholds[Int(clock.next)].percent) + 99) / 100
        guard need > clock.counted, need < clock.target else {
            refreshDue(slot, c, emit: true, &out)
            armNext(slot, c)
            return
        }
        let (warning, due) = rules.calendars[Int(clock.calendar)].due(
            from: Instant(secondsSince1970: clock.since), counting: need - clock.counted,
            then: clock.target - clock.counted)
        clocks[clockIndex(s, c)].due = due.secondsSince1970
        clocks[clockIndex(s, c)].armed = warning.secondsSince1970
        out.records.append(
            TimelineRecord(
                at: Instant(secondsSince1970: clock.since), ticket: tickets[s].id,
                kind: .due(clockID(s, c), agreement: rules.agreementNames[Int(clock.agreement)], due: due)))
    }

    /// Recomputes the due instant of a running clock from `since`; a breached clock keeps the instant it breached at.
    mutating func refreshDue(_ slot: UInt32, _ c: ClockSlot, emit: Bool, _ out: inout EngineOutput) {
        let s = Int(slot)
        let clock = clocks[clockIndex(s, c)]
        guard !clock.breached else { return }
        guard clock.target > 0 else {
            clocks[clockIndex(s, c)].due = ClockState.never
            return
        }
        let due: Int64
        if clock.target <= clock.counted {
            due = clock.since
        } else {
            due = rules.calendars[Int(clock.calendar)].due(
                from: Instant(secondsSince1970: clock.since), counting: clock.target - clock.counted
            ).secondsSince1970
        }
        clocks[clockIndex(s, c)].due = due
        if emit {
            let agreement = rules.agreementNames[Int(clock.agreement)]
            out.records.append(
                TimelineRecord(
                    at: Instant(secondsSince1970: clock.since), ticket: tickets[s].id,
                    kind: .due(clockID(s, c), agreement: agreement, due: Instant(secondsSince1970: due))))
        }
    }

    /// Arms the next unfired threshold of a running clock (the caller queues it through ``rearm(_:_:)``).
    mutating func armNext(_ slot: UInt32, _ c: ClockSlot) {
        let s = Int(slot)
        let clock = clocks[clockIndex(s, c)]
        guard clock.phase == .running, clock.target > 0, clock.next < table(s, c).end else {
            clocks[clockIndex(s, c)].armed = ClockState.never
            return
        }
        let need = (clock.target * Int64(rules.thresholds[Int(clock.next)].percent) + 99) / 100
        let at: Int64
        if need <= clock.counted {
            at = clock.since
        } else if need == clock.target, !clock.breached {
            at = clock.due
        } else {
            at = rules.calendars[Int(clock.calendar)].due(
                from: Instant(secondsSince1970: clock.since), counting: need - clock.counted
            ).secondsSince1970
        }
        clocks[clockIndex(s, c)].armed = at
    }

    /// Stops a clock for good at `t`; met when it had a target and did not pass it.
    mutating func stop(_ slot: UInt32, _ c: ClockSlot, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        guard clocks[clockIndex(s, c)].phase != .stopped else { return }
        rebase(slot, c, at: t)
        clocks[clockIndex(s, c)].phase = .stopped
        clocks[clockIndex(s, c)].armed = ClockState.never
        let clock = clocks[clockIndex(s, c)]
        // A clock past its target whose breach has not fired yet (the driver was late) is not met.
        guard clock.target > 0, !clock.breached, clock.counted <= clock.target else { return }
        let agreement = rules.agreementNames[Int(clock.agreement)]
        out.records.append(
            TimelineRecord(
                at: Instant(secondsSince1970: t), ticket: tickets[s].id,
                kind: .met(clockID(s, c), agreement: agreement)))
    }

    /// Pauses or resumes one clock to match the ticket's current pause reason.
    mutating func applyPause(_ slot: UInt32, _ c: ClockSlot, at t: Int64, _ out: inout EngineOutput) {
        let s = Int(slot)
        let shouldPause = pauses(s, c)
        switch clocks[clockIndex(s, c)].phase {
        case .running where shouldPause:
            rebase(slot, c, at: t)
            clocks[clockIndex(s, c)].phase = .paused
            clocks[clockIndex(s, c)].armed = ClockState.never
            if !clocks[clockIndex(s, c)].breached { clocks[clockIndex(s, c)].due = ClockState.never }
        case .paused where !shouldPause:
            clocks[clockIndex(s, c)].phase = .running
            clocks[clockIndex(s, c)].since = t
            refreshDueAndArm(slot, c, &out)
        default:
            break
        }
    }
}
