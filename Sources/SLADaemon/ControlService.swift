import Foundation
import Logging
import SLACore
import SLAJSON
import SLAStore
import SLASystemd
import SLAVarlink
import SLAWire

/// `io.slad.Sla` on the control socket: ticket events in, clocks and breaches out.
public struct ControlService: VarlinkService {
    public let host: EngineHost
    public let feed: RecordFeed
    public let access: AccessPolicy
    public let logger: Logger
    /// Reloads the configuration; `Reload` calls it with who asked ("uid 1000").
    public let reloadConfiguration: @Sendable (String) async -> ReloadOutcome
    /// The journal's counts for `Status`, when slad writes records to the journal: an operator must
    /// be able to tell that journald fell behind and dropped some.
    public let journalCounts: (@Sendable () -> JournalWriter.Statistics)?

    /// Most tickets one `ListTickets` returns, and the default.
    public static let listCeiling = 100_000
    public static let listDefault = 100
    /// Most timeline records `GetTicket` returns: the newest are kept.
    public static let timelineCeiling = 10_000

    /// - Parameter reload: what `Reload` does; the daemon's tells the service manager and the
    ///   journal. Left out: the host reloads and the outcome is logged here.
    public init(
        host: EngineHost, feed: RecordFeed, access: AccessPolicy, logger: Logger,
        reload: (@Sendable (String) async -> ReloadOutcome)? = nil,
        journalCounts: (@Sendable () -> JournalWriter.Statistics)? = nil
    ) {
        self.journalCounts = journalCounts
        self.host = host
        self.feed = feed
        self.access = access
        self.logger = logger
        self.reloadConfiguration =
            reload ?? { [logger] origin in
                let outcome = await host.reload()
                switch outcome {
                case .applied(let summary): logger.notice("configuration reloaded by \(origin): \(summary)")
                case .unchanged: break
                case .refused(let errors):
                    logger.warning("reload refused; the running configuration stays: \(errors.joined(separator: "; "))")
                }
                return outcome
            }
    }

    public var interfaces: [(name: String, description: String)] { [(SlaInterface.name, SlaInterface.description)] }
    public var vendor: String { "slad" }
    public var product: String { "slad" }
    public var version: String { SladVersion.string }
    public var url: String { "https://github.com/slad/slad" }

    public func handle(_ call: VarlinkCall, peer: PeerCredentials, replies: VarlinkReplies) async {
        let method = call.method.hasPrefix("io.slad.Sla.") ? String(call.method.dropFirst(12)) : call.method
        let needed: AccessRole
        switch method {
        case "Submit", "Reload": needed = .writer
        case "GetTicket", "ListTickets", "Watch", "Status", "CheckConfig": needed = .reader
        default:
            try? await replies.fail(.methodNotFound(call.method))
            return
        }
        guard access.role(of: peer) >= needed else {
            try? await replies.fail(.permissionDenied)
            return
        }
        // Only Watch streams; no method takes over the connection. Saying so beats a silent single reply.
        if call.upgrade || (call.more && method != "Watch") {
            try? await replies.fail(.invalidParameter(call.upgrade ? "upgrade" : "more"))
            return
        }
        do {
            switch method {
            case "Submit": try await replies.reply(try await submit(call.parameters, actor: peer.uid))
            case "GetTicket": try await replies.reply(try await ticket(call.parameters))
            case "ListTickets": try await replies.reply(try await list(call.parameters))
            case "Status": try await replies.reply(await status())
            case "Reload": try await replies.reply(try await reload(peer: peer))
            case "CheckConfig": try await replies.reply(try checkConfig())
            default:
                guard call.more else { throw VarlinkError.expectedMore }
                try await watch(replies)
            }
        } catch let error as VarlinkError {
            try? await replies.fail(error)
        } catch {
            // The connection went away while replying; nothing to tell anyone.
            logger.debug("reply to \(call.method) not delivered: \(error)")
        }
    }

    // MARK: - Methods

    /// The most events a `Submit` answered on the event loop may hold: decoding runs there, and a bulk
    /// import's batch of thousands would hold up the other connections of that loop. Larger batches
    /// gain nothing from the shorter path anyway.
    public static let directBatchLimit = 256

    /// Submit, the call helpdesks make many times a second, is answered without a task when the
    /// caller may write and the events decode; anything else (refusals of the call itself included)
    /// takes ``handle(_:peer:replies:)``, so both ways answer alike.
    public func answerDirectly(
        _ call: VarlinkCall, peer: PeerCredentials, answer: @escaping @Sendable (VarlinkDirectAnswer) -> Void
    ) -> Bool {
        guard call.method == "io.slad.Sla.Submit", access.role(of: peer) >= .writer,
            case .array(let items)? = call.parameters["events"], items.count <= Self.directBatchLimit,
            let events = try? Self.events(call.parameters)
        else { return false }
        host.submit(events, actor: peer.uid) { outcome in
            do {
                answer(.success(try Self.reply(to: outcome)))
            } catch let error as VarlinkError {
                answer(.failure(error))
            } catch {
                answer(.failure(.methodNotImplemented(call.method)))
            }
        }
        return true
    }

    private func submit(_ parameters: [String: JSONValue], actor: UInt32) async throws -> [String: JSONValue] {
        try Self.reply(to: await host.submit(try Self.events(parameters), actor: actor))
    }

    private static func events(_ parameters: [String: JSONValue]) throws(VarlinkError) -> [TimedEvent] {
        guard case .array(let items)? = parameters["events"] else { throw VarlinkError.invalidParameter("events") }
        var events: [TimedEvent] = []
        events.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .object(let object) = item else {
                throw Self.invalidEvent(index, "an event is a JSON object")
            }
            switch EventFormat.decode(object: object.mapValues(\.foundationValue)) {
            case .success(let event): events.append(event)
            case .failure(let error): throw Self.invalidEvent(index, error.message)
            }
        }
        return events
    }

    private static func reply(to outcome: SubmitOutcome) throws(VarlinkError) -> [String: JSONValue] {
        switch outcome {
        case .accepted(let count):
            return ["accepted": .int(Int64(count))]
        case .refused(let index, .unknownTicket(let ticket)):
            throw VarlinkError(
                name: "io.slad.Sla.UnknownTicket", parameters: ["ticket": .string(ticket), "index": .int(Int64(index))])
        case .refused(let index, let error):
            throw Self.invalidEvent(index, error.description)
        case .invalid(let index, let message):
            throw Self.invalidEvent(index, message)
        }
    }

    private static func invalidEvent(_ index: Int, _ message: String) -> VarlinkError {
        VarlinkError(
            name: "io.slad.Sla.InvalidEvent", parameters: ["index": .int(Int64(index)), "message": .string(message)])
    }

    private func ticket(_ parameters: [String: JSONValue]) async throws -> [String: JSONValue] {
        guard case .string(let id)? = parameters["ticket"] else { throw VarlinkError.invalidParameter("ticket") }
        guard let view = await host.ticket(id) else {
            throw VarlinkError(name: "io.slad.Sla.UnknownTicket", parameters: ["ticket": .string(id)])
        }
        let snapshot = view.snapshot
        let store = host.store
        var timeline: [String] = []
        var events: [StoredEvent] = []
        do {
            timeline = try store.timeline(ticket: id, limit: Self.timelineCeiling)
            events = try store.events(ticket: id, limit: Self.timelineCeiling)
        } catch {
            logger.error("cannot read the history of \(id): \(error)")
        }
        var agreements: [String] = []
        for clock in snapshot.clocks where !agreements.contains(clock.agreement) { agreements.append(clock.agreement) }
        var ticket: [String: JSONValue] = [
            "ticket": .string(id),
            "state": .string(snapshot.isResolved ? "resolved" : "open"),
            "priority": .string(snapshot.priority),
            "line": .int(Int64(snapshot.line)),
            "sla": .string(snapshot.sla),
            "agreements": .array(agreements.map(JSONValue.string)),
            "clocks": .array(zip(snapshot.clocks, view.calendarHours).map(Self.clock)),
            "events": .array(events.map(Self.event)),
            "timeline": .array(timeline.map(JSONValue.raw)),
        ]
        if let reason = snapshot.pauseReason { ticket["pause_reason"] = .string(reason) }
        return ["ticket": .object(ticket)]
    }

    private static func clock(_ clock: ClockSnapshot, hours: String) -> JSONValue {
        var object: [String: JSONValue] = [
            "clock": .string(clock.clock.kind.rawValue),
            "agreement": .string(clock.agreement),
            "calendar": .string(clock.calendar),
            "calendar_hours": .string(hours),
            "state": .string(clock.state.rawValue),
            "counted": .int(clock.counted),
        ]
        if let line = clock.clock.line { object["line"] = .int(Int64(line)) }
        if let target = clock.target {
            object["target"] = .int(target)
            object["remaining"] = .int(target - clock.counted)
        }
        if let due = clock.due { object["due"] = .string(Timestamp.format(due)) }
        return .object(object)
    }

    /// An event as the replay input format has it, `at` being the instant slad applied it at.
    private static func event(_ stored: StoredEvent) -> JSONValue {
        var object: [String: JSONValue] = [
            "at": .string(Timestamp.format(stored.at)),
            "ticket": .string(stored.event.ticket),
            "event": .string(stored.event.change.name),
        ]
        func priority(_ choice: PriorityChoice) {
            switch choice {
            case .level(let level): object["priority"] = .string(level)
            case .matrix(let impact, let urgency):
                object["impact"] = .string(impact)
                object["urgency"] = .string(urgency)
            }
        }
        switch stored.event.change {
        case .open(let choice, let service, let customer, let line):
            priority(choice)
            if let service { object["service"] = .string(service) }
            if let customer { object["customer"] = .string(customer) }
            if let line { object["line"] = .int(Int64(line)) }
        case .assign(let line): object["line"] = .int(Int64(line))
        case .pause(let reason): object["reason"] = .string(reason)
        case .reprioritize(let choice): priority(choice)
        case .respond, .resume, .resolve, .reopen, .close: break
        }
        return .object(object)
    }

    private func list(_ parameters: [String: JSONValue]) async throws -> [String: JSONValue] {
        var filter = TicketFilter()
        if case .object(let given)? = parameters["filter"] {
            for key in given.keys where !["breached", "within", "line", "agreement"].contains(key) {
                throw VarlinkError.invalidParameter("filter.\(key)")
            }
            switch given["breached"] {
            case nil, .null?: break
            case .bool(let breached)?: filter.breached = breached
            default: throw VarlinkError.invalidParameter("filter.breached")
            }
            switch given["within"] {
            case nil, .null?: break
            case .string(let text)?:
                guard case .success(let seconds) = ServiceDuration.parse(text) else {
                    throw VarlinkError.invalidParameter("filter.within")
                }
                filter.dueWithin = seconds
            default: throw VarlinkError.invalidParameter("filter.within")
            }
            switch given["line"] {
            case nil, .null?: break
            case .int(let line)? where (1...4).contains(line): filter.line = Int(line)
            default: throw VarlinkError.invalidParameter("filter.line")
            }
            switch given["agreement"] {
            case nil, .null?: break
            case .string(let name)?: filter.agreement = name
            default: throw VarlinkError.invalidParameter("filter.agreement")
            }
        } else if let given = parameters["filter"], given != .null {
            throw VarlinkError.invalidParameter("filter")
        }
        var limit = Self.listDefault
        switch parameters["limit"] {
        case nil, .null?: break
        case .int(let given)? where given >= 0: limit = Int(min(given, Int64(Self.listCeiling)))
        default: throw VarlinkError.invalidParameter("limit")
        }
        let tickets = await host.tickets(matching: filter, limit: limit)
        return ["tickets": .array(tickets.map(Self.summary))]
    }

    private static func summary(_ summary: TicketSummary) -> JSONValue {
        var object: [String: JSONValue] = [
            "ticket": .string(summary.ticket),
            "state": .string(summary.isResolved ? "resolved" : "open"),
            "priority": .string(summary.priority),
            "line": .int(Int64(summary.line)),
            "sla": .string(summary.sla),
            "breached": .bool(summary.isBreached),
        ]
        if let clock = summary.clock {
            object["clock"] = .string(clock.kind.rawValue)
            if let line = clock.line { object["clock_line"] = .int(Int64(line)) }
        }
        if let agreement = summary.agreement { object["agreement"] = .string(agreement) }
        if let due = summary.due { object["due"] = .string(Timestamp.format(due)) }
        if let remaining = summary.remaining { object["remaining"] = .int(remaining) }
        return .object(object)
    }

    private func status() async -> [String: JSONValue] {
        let status = await host.status()
        var object: [String: JSONValue] = [
            "version": .string(SladVersion.string),
            "uptime": .int(max(0, Int64(Date().timeIntervalSince1970) - status.started.secondsSince1970)),
            "config": .string(status.configPath),
            "config_loaded": .string(Timestamp.format(status.configLoaded)),
            "open_tickets": .int(Int64(status.openTickets)),
            "armed_timers": .int(Int64(status.armedTimers)),
            "breaches": .int(Int64(status.breaches)),
        ]
        if let next = status.nextDue { object["next_due"] = .string(Timestamp.format(next)) }
        if let lateness = status.timerLateness {
            object["timer_lateness"] = .object([
                "samples": .int(Int64(lateness.samples)),
                "p50_ms": .double(lateness.p50 * 1000), "p99_ms": .double(lateness.p99 * 1000),
                "max_ms": .double(lateness.max * 1000),
            ])
        }
        if let counts = journalCounts?() {
            object["journal"] = .object([
                "written": .int(Int64(clamping: counts.written)), "dropped": .int(Int64(clamping: counts.dropped)),
                "failed": .int(Int64(clamping: counts.failed)),
            ])
        }
        return object
    }

    private func reload(peer: PeerCredentials) async throws -> [String: JSONValue] {
        switch await reloadConfiguration("uid \(peer.uid)") {
        case .applied(let summary):
            return ["summary": .string(summary)]
        case .unchanged(let summary):
            return ["summary": .string(summary + " (unchanged)")]
        case .refused(let errors):
            throw VarlinkError(name: "io.slad.Sla.InvalidConfig", parameters: ["errors": .array(errors.map(JSONValue.string))])
        }
    }

    private func checkConfig() throws -> [String: JSONValue] {
        switch host.checkConfig() {
        case .success(let summary): return ["summary": .string(summary)]
        case .failure(let errors):
            throw VarlinkError(
                name: "io.slad.Sla.InvalidConfig",
                parameters: ["errors": .array(errors.diagnostics.map { .string($0.description) })])
        }
    }

    private func watch(_ replies: VarlinkReplies) async throws {
        let records = feed.watch()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await line in records {
                    do {
                        try await replies.reply(["record": .raw(line)], continues: true)
                    } catch {
                        return
                    }
                }
            }
            group.addTask { await replies.clientGone() }
            await group.next()
            group.cancelAll()
        }
    }
}

extension JSONValue {
    /// The value as `JSONSerialization` would give it, for the event decoder shared with the replay.
    var foundationValue: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let value): return NSNumber(value: value)
        case .int(let value): return NSNumber(value: value)
        case .double(let value): return NSNumber(value: value)
        case .string(let value): return value
        case .array(let values): return values.map(\.foundationValue)
        case .object(let values): return values.mapValues(\.foundationValue)
        case .raw(let text): return text
        }
    }
}

/// slad's version, reported by `--version` and `Status`.
public enum SladVersion {
    public static let string = "0.2.0"
}
