/// Why a new configuration cannot take over the running clocks. Nothing changed when this is thrown.
public struct ReconfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One sentence per problem, naming the agreement or priority and a ticket that needs it.
    public var problems: [String]

    public init(problems: [String]) { self.problems = problems }

    public var description: String { problems.joined(separator: "\n") }
}

extension ClockEngine {
    /// Problems that stop `new` from taking over the open tickets: an SLA or a priority level that
    /// open tickets use and the new configuration no longer has.
    ///
    /// Line agreements cannot go missing: the loader insists on four lines, and a line clock takes
    /// whatever agreement its line has now.
    public func reconfigurationProblems(_ new: Configuration) -> [String] {
        var missingSLA: [String: (count: Int, example: String)] = [:]
        var missingLevel: [String: (count: Int, example: String)] = [:]
        forEachOpenTicket { id, sla, priority in
            let slaName = configuration.agreements[sla].name
            if let index = new.agreementIndex(named: slaName), new.agreements[index].kind == .sla {
            } else {
                missingSLA[slaName, default: (0, id)].count += 1
            }
            let level = configuration.priorities.levels[priority]
            if new.priorities.level(named: level) == nil {
                missingLevel[level, default: (0, id)].count += 1
            }
        }
        var problems: [String] = []
        for (name, use) in missingSLA.sorted(by: { $0.key < $1.key }) {
            problems.append(
                "the new configuration has no SLA \"\(name)\", which \(use.count) open ticket(s) use "
                    + "(for example \(use.example)); keep it, or close those tickets first")
        }
        for (name, use) in missingLevel.sorted(by: { $0.key < $1.key }) {
            problems.append(
                "the new configuration has no priority \"\(name)\", which \(use.count) open ticket(s) have "
                    + "(for example \(use.example)); keep it, or reprioritize those tickets first")
        }
        return problems
    }
}

extension ClockEngine {
    /// Calls `body` with each open ticket's id, SLA index and priority level.
    func forEachOpenTicket(_ body: (String, Int, Int) -> Void) {
        for ticket in tickets where !ticket.id.isEmpty {
            body(ticket.id, Int(ticket.sla), Int(ticket.priority))
        }
    }

    /// Puts `new` in charge of every open ticket at `now`, keeping the service time each clock has
    /// counted so far: agreements, priorities and calendars are matched by name, running clocks get
    /// the new targets and calendars from `now` on, and thresholds the new targets put in the past
    /// fire at the next deadline (at once), while those that fired already never fire again.
    ///
    /// A `due` record is written for each running clock whose due instant changed. Every ticket's
    /// deadline is armed afresh, so the caller must replace its queue with `out.deadlines`.
    public mutating func reconfigure(
        _ new: Configuration,
        at now: Instant,
        into out: inout EngineOutput
    ) throws(ReconfigurationError) {
        let problems = reconfigurationProblems(new)
        guard problems.isEmpty else { throw ReconfigurationError(problems: problems) }
        let t = now.secondsSince1970
        let old = configuration
        let oldRules = rules
        // Time counted so far is counted with the old calendars, before they change.
        var lastFired = [Int32](repeating: -1, count: clocks.count)
        for s in tickets.indices where !tickets[s].id.isEmpty {
            for c in ClockSlot.allCases {
                rebase(UInt32(s), c, at: t)
                let table = self.table(s, c)
                let next = clocks[clockIndex(s, c)].next
                if next > table.start, next <= table.end {
                    lastFired[clockIndex(s, c)] = oldRules.thresholds[Int(next) - 1].percent
                }
            }
        }
        let ruleMap: [Int?] = old.hierarchicalRules.map { rule in new.hierarchicalRules.firstIndex(of: rule) }

        configuration = new
        rules = CompiledRules(new)
        armedTickets = 0
        for s in tickets.indices where !tickets[s].id.isEmpty {
            let slot = UInt32(s)
            let sla = UInt16(new.agreementIndex(named: old.agreements[Int(tickets[s].sla)].name)!)
            tickets[s].sla = sla
            tickets[s].priority = UInt8(new.priorities.level(named: old.priorities.levels[Int(tickets[s].priority)])!)
            tickets[s].armed = ClockState.never
            var fired: UInt64 = 0
            for (oldIndex, newIndex) in ruleMap.enumerated() {
                if let newIndex, tickets[s].hierarchicalFired & (1 << UInt64(oldIndex)) != 0 {
                    fired |= 1 << UInt64(newIndex)
                }
            }
            tickets[s].hierarchicalFired = fired
            tickets[s].pauseBit = tickets[s].isPaused ? rules.pauseBit(pauseReasons[slot] ?? "") : 0
            clocks[clockIndex(s, .response)].agreement = sla
            clocks[clockIndex(s, .resolution)].agreement = sla
            clocks[clockIndex(s, .line)].agreement = rules.lineAgreements[Int(tickets[s].line) - 1]
            for c in ClockSlot.allCases {
                let table = self.table(s, c)
                var next = table.start
                while next < table.end, rules.thresholds[Int(next)].percent <= lastFired[clockIndex(s, c)] { next += 1 }
                clocks[clockIndex(s, c)].next = next
                let oldDue = clocks[clockIndex(s, c)].due
                setTarget(slot, c)
                clocks[clockIndex(s, c)].armed = ClockState.never
                switch clocks[clockIndex(s, c)].phase {
                case .stopped:
                    continue
                case .running where pauses(s, c):
                    clocks[clockIndex(s, c)].phase = .paused
                    if !clocks[clockIndex(s, c)].breached { clocks[clockIndex(s, c)].due = ClockState.never }
                    continue
                case .paused where !pauses(s, c):
                    clocks[clockIndex(s, c)].phase = .running
                    clocks[clockIndex(s, c)].since = t
                case .paused:
                    continue
                case .running:
                    break
                }
                let mark = out.records.count
                refreshDueAndArm(slot, c, &out)
                if clocks[clockIndex(s, c)].due == oldDue, out.records.count > mark {
                    out.records.removeSubrange(mark...)
                }
            }
            rearm(slot, &out)
        }
    }
}
