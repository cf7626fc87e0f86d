import SLACore

/// The report as a fold over ``ReportFact``s in time order: one pass, bounded memory.
///
/// It keeps the tallies of the period in progress only (a row is finished when time passes the
/// period's end) and one entry per ticket not yet closed (for the backlog at each period's end and
/// for reopens). The service and wall times of the period's stopped clocks are kept until its end,
/// for the medians: 8 bytes a stopped clock of one period.
public struct ReportFold: Sendable {
    public let request: ReportRequest
    private let configuration: Configuration
    /// Period `i` is `[boundaries[i], boundaries[i + 1])`.
    private let boundaries: [Instant]
    private let periodDays: [Int64]
    /// The period in progress; -1 before the first, `periodDays.count` after the last.
    private var current = -1
    private var tallies: [[String]: Tally] = [:]
    private var open: [String: OpenTicket] = [:]
    private var rows: [ReportRow] = []
    private var agreementsSeen: Set<String> = []

    struct OpenTicket {
        var openedAt: Instant
        var context: ReportContext
        var resolved = false
        /// The period and group of the ticket's last resolution, while it may still be reopened in it.
        var lastResolution: (period: Int, key: [String])?
    }

    struct Tally {
        /// Decided and met clocks: response, resolution, lines 1 to 4.
        var decided = [Int](repeating: 0, count: 6)
        var met = [Int](repeating: 0, count: 6)
        var transfers = 0
        var transfersOnTime = 0
        var opened = 0
        var resolved = 0
        var firstTimeFixes = 0
        var reopened = 0
        var closed = 0
        var breaches = [Int](repeating: 0, count: 3)
        /// Escalations to lines 2, 3, 4.
        var escalations = [Int](repeating: 0, count: 3)
        var hierarchical = 0
        /// Response service, resolution service, response wall, resolution wall.
        var samples: [[Int64]] = [[], [], [], []]
        var heldSeconds = [Int64](repeating: 0, count: 4)
        var heldRuns = [Int](repeating: 0, count: 4)
        var backlog = [Int](repeating: 0, count: 5)
        var backlogAges: [Int64] = []
    }

    public init(request: ReportRequest, configuration: Configuration) {
        self.request = request
        self.configuration = configuration
        periodDays = request.calendar.periods(since: request.since, until: request.until, by: request.by)
        boundaries = (periodDays + [request.until]).map { request.calendar.midnight(ofDay: $0) }
    }

    /// Counts one fact. Facts must come in time order; those before the report's start only set
    /// the backlog's state, those after its end are ignored.
    public mutating func add(_ fact: ReportFact) {
        advance(to: fact.at)
        let counting = current >= 0 && current < periodDays.count
        let key = counting ? self.key(fact.context) : []
        if counting { agreementsSeen.insert(fact.context.agreement) }
        switch fact.kind {
        case .opened:
            open[fact.ticket] = OpenTicket(openedAt: fact.at, context: fact.context)
            if counting { tallies[key, default: Tally()].opened += 1 }
        case .resolved(let firstLine):
            open[fact.ticket]?.resolved = true
            open[fact.ticket]?.context = fact.context
            open[fact.ticket]?.lastResolution = counting ? (current, key) : nil
            if counting {
                tallies[key, default: Tally()].resolved += 1
                if firstLine { tallies[key, default: Tally()].firstTimeFixes += 1 }
            }
        case .reopened:
            if counting, let last = open[fact.ticket]?.lastResolution, last.period == current {
                tallies[last.key, default: Tally()].reopened += 1
            }
            open[fact.ticket]?.resolved = false
            open[fact.ticket]?.lastResolution = nil
            open[fact.ticket]?.context = fact.context
        case .closed:
            open[fact.ticket] = nil
            if counting { tallies[key, default: Tally()].closed += 1 }
        case .reprioritized:
            open[fact.ticket]?.context.priority = fact.context.priority
        case .decided(let clock, let met):
            guard counting else { break }
            let index = Self.clockIndex(clock, line: fact.context.line)
            tallies[key, default: Tally()].decided[index] += 1
            if met {
                tallies[key, default: Tally()].met[index] += 1
            } else {
                tallies[key, default: Tally()].breaches[clock == .response ? 0 : clock == .resolution ? 1 : 2] += 1
            }
        case .stopped(let clock, let service, let wall):
            guard counting else { break }
            switch clock {
            case .response:
                tallies[key, default: Tally()].samples[0].append(service)
                tallies[key, default: Tally()].samples[2].append(wall)
            case .resolution:
                tallies[key, default: Tally()].samples[1].append(service)
                tallies[key, default: Tally()].samples[3].append(wall)
            case .line:
                tallies[key, default: Tally()].heldSeconds[fact.context.line - 1] += service
                tallies[key, default: Tally()].heldRuns[fact.context.line - 1] += 1
            }
        case .transfer(let from, let to, let onTime):
            open[fact.ticket]?.context.line = to
            guard counting else { break }
            if from == 1 && to == 2 {
                tallies[key, default: Tally()].transfers += 1
                if onTime { tallies[key, default: Tally()].transfersOnTime += 1 }
            }
            if to > from, to >= 2 { tallies[key, default: Tally()].escalations[to - 2] += 1 }
        case .hierarchical:
            if counting { tallies[key, default: Tally()].hierarchical += 1 }
        }
    }

    /// Closes every period left and returns the report.
    public mutating func finish() -> Report {
        advance(to: boundaries[boundaries.count - 1])
        var objectives: [String: Int] = [:]
        for agreement in configuration.agreements {
            if let objective = agreement.objective { objectives[agreement.name] = objective }
            for (level, targets) in agreement.targets.enumerated() {
                if let objective = targets?.objective {
                    objectives[agreement.name + " " + configuration.priorities.levels[level]] = objective
                }
            }
        }
        return Report(
            request: request, rows: rows,
            agreements: configuration.agreements.map(\.name).filter { agreementsSeen.contains($0) },
            objectives: objectives)
    }

    private static func clockIndex(_ clock: ClockKind, line: Int) -> Int {
        switch clock {
        case .response: return 0
        case .resolution: return 1
        case .line: return 1 + line
        }
    }

    private func key(_ context: ReportContext) -> [String] {
        request.group.map { dimension in
            switch dimension {
            case .agreement: return context.agreement
            case .priority: return context.priority
            case .customer: return context.customer
            case .service: return context.service
            case .line: return String(context.line)
            }
        }
    }

    private mutating func advance(to instant: Instant) {
        while current < periodDays.count, instant >= boundaries[current + 1] {
            if current >= 0 { close(period: current) }
            current += 1
        }
    }

    /// Finishes period `index`: the backlog at its end, then its rows.
    private mutating func close(period index: Int) {
        let end = boundaries[index + 1]
        for ticket in open.values where !ticket.resolved && ticket.openedAt < end {
            let key = self.key(ticket.context)
            tallies[key, default: Tally()].backlog[0] += 1
            tallies[key, default: Tally()].backlog[ticket.context.line] += 1
            tallies[key, default: Tally()].backlogAges.append(end - ticket.openedAt)
        }
        if request.group.isEmpty, tallies.isEmpty { tallies[[]] = Tally() }
        let period = ReportCalendar.text(ofDay: periodDays[index])
        for key in tallies.keys.sorted(by: keyOrder) {
            rows.append(ReportRow(period: period, keys: key, values: values(tallies[key]!, key: key)))
        }
        tallies.removeAll(keepingCapacity: true)
    }

    private func keyOrder(_ a: [String], _ b: [String]) -> Bool {
        for (i, dimension) in request.group.enumerated() where a[i] != b[i] {
            switch dimension {
            case .priority:
                let levels = configuration.priorities.levels
                return (levels.firstIndex(of: a[i]) ?? levels.count, a[i]) < (
                    levels.firstIndex(of: b[i]) ?? levels.count, b[i]
                )
            case .line:
                return (Int(a[i]) ?? 0) < (Int(b[i]) ?? 0)
            case .agreement:
                let names = configuration.agreements.map(\.name)
                return (names.firstIndex(of: a[i]) ?? names.count, a[i]) < (
                    names.firstIndex(of: b[i]) ?? names.count, b[i]
                )
            default:
                return a[i] < b[i]
            }
        }
        return false
    }

    private func values(_ tally: Tally, key: [String]) -> [ReportValue?] {
        var out: [ReportFigure: ReportValue?] = [:]
        func share(_ part: Int, _ whole: Int) -> ReportValue? {
            whole == 0 ? nil : .number(Double(part) * 100 / Double(whole))
        }
        out[.responseMetPct] = share(tally.met[0], tally.decided[0])
        out[.resolutionMetPct] = share(tally.met[1], tally.decided[1])
        let lines: [ReportFigure] = [.olaMetPctLine1, .olaMetPctLine2, .olaMetPctLine3, .olaMetPctLine4]
        for (i, figure) in lines.enumerated() { out[figure] = share(tally.met[2 + i], tally.decided[2 + i]) }
        if let (objective, shared) = objective(tally, key: key) {
            out[.objectivePct] = .count(objective)
            out[.objectiveMet] = shared.map { .flag($0 >= Double(objective)) }
        }
        out[.transferredOnTimePct] = share(tally.transfersOnTime, tally.transfers)
        out[.firstTimeFixPct] = share(tally.firstTimeFixes, tally.resolved)
        out[.reopenedPct] = share(tally.reopened, tally.resolved)
        out[.opened] = .count(tally.opened)
        out[.resolved] = .count(tally.resolved)
        out[.closed] = .count(tally.closed)
        out[.breachesResponse] = .count(tally.breaches[0])
        out[.breachesResolution] = .count(tally.breaches[1])
        out[.breachesLine] = .count(tally.breaches[2])
        out[.escalationsToLine2] = .count(tally.escalations[0])
        out[.escalationsToLine3] = .count(tally.escalations[1])
        out[.escalationsToLine4] = .count(tally.escalations[2])
        out[.hierarchicalEscalations] = .count(tally.hierarchical)
        let times: [[ReportFigure]] = [
            [.responseServiceMeanS, .responseServiceMedianS, .responseServiceP90S],
            [.resolutionServiceMeanS, .resolutionServiceMedianS, .resolutionServiceP90S],
            [.responseWallMeanS, .responseWallMedianS, .responseWallP90S],
            [.resolutionWallMeanS, .resolutionWallMedianS, .resolutionWallP90S],
        ]
        for (i, figures) in times.enumerated() {
            let stats = Statistics(tally.samples[i])
            out[figures[0]] = stats.mean.map(ReportValue.number)
            out[figures[1]] = stats.median.map(ReportValue.number)
            out[figures[2]] = stats.p90.map(ReportValue.number)
        }
        let held: [ReportFigure] = [.line1HeldMeanS, .line2HeldMeanS, .line3HeldMeanS, .line4HeldMeanS]
        for (i, figure) in held.enumerated() where tally.heldRuns[i] > 0 {
            out[figure] = .number(Double(tally.heldSeconds[i]) / Double(tally.heldRuns[i]))
        }
        let backlog: [ReportFigure] = [.backlogOpen, .backlogLine1, .backlogLine2, .backlogLine3, .backlogLine4]
        for (i, figure) in backlog.enumerated() { out[figure] = .count(tally.backlog[i]) }
        out[.backlogAgeMedianS] = Statistics(tally.backlogAges).median.map(ReportValue.number)
        return ReportFigure.allCases.map { out[$0] ?? nil }
    }

    /// The objective of the row's agreement (at its priority, when rows group by priority) and
    /// the share it is compared with: an SLA's resolution clocks, an OLA's or UC's line clocks.
    private func objective(_ tally: Tally, key: [String]) -> (Int, Double?)? {
        guard let a = request.group.firstIndex(of: .agreement),
            let agreement = configuration.agreements.first(where: { $0.name == key[a] })
        else { return nil }
        let objective: Int?
        if let p = request.group.firstIndex(of: .priority), let level = configuration.priorities.level(named: key[p]) {
            objective = agreement.objective(priority: level)
        } else {
            objective = agreement.objective
        }
        guard let objective else { return nil }
        let (met, decided) =
            agreement.kind == .sla
            ? (tally.met[1], tally.decided[1])
            : (tally.met[2...].reduce(0, +), tally.decided[2...].reduce(0, +))
        return (objective, decided == 0 ? nil : Double(met) * 100 / Double(decided))
    }
}

/// Mean, median and 90th percentile of whole seconds.
struct Statistics {
    var mean: Double?
    var median: Double?
    var p90: Double?

    /// The median of an even count is the mean of the middle two; the 90th percentile is the
    /// nearest rank, the value at position ceil(0.9 n) in ascending order.
    init(_ values: [Int64]) {
        guard !values.isEmpty else { return }
        let sorted = values.sorted()
        let n = sorted.count
        mean = Double(sorted.reduce(0, +)) / Double(n)
        median = n % 2 == 1 ? Double(sorted[n / 2]) : Double(sorted[n / 2 - 1] + sorted[n / 2]) / 2
        p90 = Double(sorted[(9 * n + 9) / 10 - 1])
    }
}
