import Dispatch
import SLACore
import SLAReport
import SLAStore

/// A report's fact as the store keeps it, and back: `kind` 1 opened, 2 resolved (x: first line), 3
/// reopened, 4 closed, 5 reprioritised, 6 decided (x: clock, y: met), 7 stopped (x: clock, y:
/// service seconds, z: wall seconds), 8 transfer (x: from, y: to, z: on time), 9 hierarchical;
/// clocks 0 response, 1 resolution, 2 line.
extension StoredOutcome {
    /// The fact as a row.
    public init(_ fact: ReportFact) {
        var x: Int64 = 0
        var y: Int64 = 0
        var z: Int64 = 0
        let kind: Int
        switch fact.kind {
        case .opened: kind = 1
        case .resolved(let firstLine):
            kind = 2
            x = firstLine ? 1 : 0
        case .reopened: kind = 3
        case .closed: kind = 4
        case .reprioritized: kind = 5
        case .decided(let clock, let met):
            kind = 6
            x = Self.code(clock)
            y = met ? 1 : 0
        case .stopped(let clock, let service, let wall):
            kind = 7
            x = Self.code(clock)
            y = service
            z = wall
        case .transfer(let from, let to, let onTime):
            kind = 8
            x = Int64(from)
            y = Int64(to)
            z = onTime ? 1 : 0
        case .hierarchical: kind = 9
        }
        let context = fact.context
        self.init(
            at: fact.at, ticket: fact.ticket, kind: kind, x: x, y: y, z: z, agreement: context.agreement,
            priority: context.priority, customer: context.customer, service: context.service, line: context.line)
    }

    /// The fact, or nil for a kind this build does not know (a newer slad's row).
    public var fact: ReportFact? {
        let kind: ReportFact.Kind
        switch self.kind {
        case 1: kind = .opened
        case 2: kind = .resolved(firstLine: x == 1)
        case 3: kind = .reopened
        case 4: kind = .closed
        case 5: kind = .reprioritized
        case 6:
            guard let clock = Self.clock(x) else { return nil }
            kind = .decided(clock, met: y == 1)
        case 7:
            guard let clock = Self.clock(x) else { return nil }
            kind = .stopped(clock, service: y, wall: z)
        case 8: kind = .transfer(from: Int(x), to: Int(y), onTime: z == 1)
        case 9: kind = .hierarchical
        default: return nil
        }
        return ReportFact(
            at: at, ticket: ticket, kind: kind,
            context: ReportContext(
                agreement: agreement, priority: priority, customer: customer, service: service, line: line))
    }

    private static func code(_ clock: ClockKind) -> Int64 {
        switch clock {
        case .response: return 0
        case .resolution: return 1
        case .line: return 2
        }
    }

    private static func clock(_ code: Int64) -> ClockKind? {
        switch code {
        case 0: return .response
        case 1: return .resolution
        case 2: return .line
        default: return nil
        }
    }
}

/// Why a report could not be made: the options (a named parameter) or the state.
public enum ReportRefusal: Error, Sendable, Equatable {
    case invalidOption(parameter: String, message: String)
    case storageUnavailable(String)
}

extension EngineHost {
    /// The report over the stored outcomes, in `format`: the same fold and forms as `slad report`.
    ///
    /// Read from one snapshot of the store, row by row, off the engine's queue (which only hands
    /// over the configuration): a report of a month of a million tickets never holds them.
    public func report(
        _ options: ReportOptions, zone: ZoneRules, format: ReportFormat
    ) async -> Result<String, ReportRefusal> {
        let configuration = await runningConfiguration()
        let store = self.store
        return await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async {
                continuation.resume(
                    returning: Self.report(
                        options, zone: zone, format: format, configuration: configuration, store: store))
            }
        }
    }

    /// The report over `store`'s outcomes under `configuration`, on the caller's thread.
    public static func report(
        _ options: ReportOptions, zone: ZoneRules, format: ReportFormat, configuration: Configuration,
        store: StateStore
    ) -> Result<String, ReportRefusal> {
        let calendar = ReportCalendar(zone: zone)
        do {
            var span: (first: Instant, last: Instant)?
            if options.since == nil || options.until == nil {
                span = try store.outcomeSpan()
            }
            let request: ReportRequest
            do {
                request = try options.request(calendar: calendar, first: span?.first, last: span?.last)
            } catch {
                return .failure(.invalidOption(parameter: error.option, message: error.message))
            }
            var folds = ReportPages.requests(for: request, format: format).map {
                ReportFold(request: $0, configuration: configuration)
            }
            try store.outcomes { stored in
                guard let fact = stored.fact else { return }
                for i in folds.indices { folds[i].add(fact) }
            }
            return .success(ReportPages.render(folds.indices.map { folds[$0].finish() }, format: format))
        } catch {
            return .failure(.storageUnavailable("the state cannot be read: \(error)"))
        }
    }
}
