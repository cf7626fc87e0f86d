/// The configuration folded into flat tables, so the hot path reads plain values and never copies
/// an `Agreement` (each copy retains its arrays).
struct CompiledRules: Sendable {
    struct Threshold: Sendable {
        var percent: Int32
        var warn: Bool
        var breach: Bool
        /// Range in `ruleIndices` of the hierarchical rules that fire here.
        var rulesStart: UInt16
        var rulesEnd: UInt16
    }

    /// Range of one clock kind's thresholds in `thresholds`, ascending by percent.
    struct Table: Sendable {
        var start: UInt16
        var end: UInt16
    }

    var calendars: ContiguousArray<BusinessCalendar>
    var agreementNames: [String]
    var thresholds: ContiguousArray<Threshold> = []
    var ruleIndices: [Int] = []
    var ruleTargets: [String]
    var tables: [Table] = []
    /// Per agreement (index): the tables of its response and resolution clocks (SLA only).
    var slaTables: [(response: UInt16, resolution: UInt16)] = []
    /// Per line 1...4: its agreement and the table of its line clock.
    var lineAgreements: [UInt16]
    var lineTables: [UInt16] = []
    /// Per agreement: the pause reasons it honours, as bits.
    var pauseMasks: [UInt64] = []
    var reasonBits: [String: UInt64] = [:]
    /// Priority names; a handful, so a scan beats hashing.
    var levelNames: [String]
    /// SLAs with a `match`, in file order, and the default SLA.
    private var matchers: [(agreement: Int, services: Set<String>?, customers: Set<String>?)] = []
    private var defaultSLA: Int?
    /// `(agreement * levels + priority) * 2 + (response ? 0 : 1)`: seconds (0 = no target) and calendar.
    private var targetSeconds: [Int64] = []
    private var targetCalendars: [UInt16] = []
    private let levels: Int

    init(_ configuration: Configuration) {
        calendars = ContiguousArray(configuration.calendars)
        agreementNames = configuration.agreements.map(\.name)
        ruleTargets = configuration.hierarchicalRules.map(\.notify)
        lineAgreements = configuration.lines.map { UInt16($0.agreement) }
        levels = configuration.priorities.levels.count
        levelNames = configuration.priorities.levels
        for (index, agreement) in configuration.agreements.enumerated() where agreement.kind == .sla {
            if let match = agreement.match {
                matchers.append((index, match.services.map(Set.init), match.customers.map(Set.init)))
            } else if defaultSLA == nil {
                defaultSLA = index
            }
        }
        for agreement in configuration.agreements {
            var mask: UInt64 = 0
            for reason in agreement.pauseOn {
                if reasonBits[reason] == nil, reasonBits.count < 64 {
                    reasonBits[reason] = 1 << UInt64(reasonBits.count)
                }
                mask |= reasonBits[reason] ?? 0
            }
            pauseMasks.append(mask)
            for level in 0..<levels {
                let targets = level < agreement.targets.count ? agreement.targets[level] : nil
                for target in [targets?.response, targets?.resolution] {
                    targetSeconds.append(target?.seconds ?? 0)
                    targetCalendars.append(UInt16(target?.calendar ?? agreement.calendar))
                }
            }
            if agreement.kind == .sla {
                let response = addTable(agreement, configuration, clock: .response, line: nil)
                let resolution = addTable(agreement, configuration, clock: .resolution, line: nil)
                slaTables.append((response, resolution))
            } else {
                slaTables.append((0, 0))
            }
        }
        for line in configuration.lines {
            lineTables.append(
                addTable(configuration.agreements[line.agreement], configuration, clock: .line, line: line.id))
        }
    }

    func pauseBit(_ reason: String) -> UInt64 { reasonBits[reason] ?? 0 }

    /// Same answer as ``Configuration/slaIndex(service:customer:)``, without walking the agreements.
    func slaIndex(service: String?, customer: String?) -> Int? {
        for matcher in matchers {
            if let services = matcher.services {
                guard let service, services.contains(service) else { continue }
            }
            if let customers = matcher.customers {
                guard let customer, customers.contains(customer) else { continue }
            }
            return matcher.agreement
        }
        return defaultSLA
    }

    @inline(__always)
    func target(agreement: Int, priority: Int, response: Bool) -> (seconds: Int64, calendar: UInt16) {
        let index = (agreement * levels + priority) * 2 + (response ? 0 : 1)
        return (targetSeconds[index], targetCalendars[index])
    }

    private mutating func addTable(
        _ agreement: Agreement,
        _ configuration: Configuration,
        clock: ClockKind,
        line: Int?
    ) -> UInt16 {
        var percents = Set(agreement.warn)
        percents.insert(100)
        var rulesAt: [Int: [Int]] = [:]
        for (index, rule) in configuration.hierarchicalRules.enumerated() where rule.clock == clock {
            if let ruleLine = rule.line, ruleLine != line { continue }
            percents.insert(rule.percent)
            rulesAt[rule.percent, default: []].append(index)
        }
        let start = UInt16(thresholds.count)
        for percent in percents.sorted() {
            let rulesStart = UInt16(ruleIndices.count)
            ruleIndices.append(contentsOf: rulesAt[percent] ?? [])
            thresholds.append(
                Threshold(
                    percent: Int32(percent), warn: agreement.warn.contains(percent), breach: percent == 100,
                    rulesStart: rulesStart, rulesEnd: UInt16(ruleIndices.count)))
        }
        tables.append(Table(start: start, end: UInt16(thresholds.count)))
        return UInt16(tables.count - 1)
    }
}
