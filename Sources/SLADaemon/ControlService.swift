import Foundation
import Logging
import SLAContract
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
    /// Most events, and most timeline records, one `GetTicket` reply holds: the newest are kept, and
    /// the reply's `truncated` says how many older ones a call with `skip` would page through.
    public static let timelineCeiling = SlaInterface.GetTicket.historyPage

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
        typealias Sla = SlaInterface
        let method = call.method.hasPrefix(Sla.name + ".") ? String(call.method.dropFirst(Sla.name.count + 1)) : call.method
        let needed: AccessRole
        switch method {
        case Sla.Submit.name, Sla.Reload.name, Sla.Backup.name, Sla.AddOverride.name, Sla.RemoveOverride.name:
            needed = .writer
        case Sla.GetTicket.name, Sla.ListTickets.name, Sla.Watch.name, Sla.Status.name, Sla.CheckConfig.name,
            Sla.WhoIsOnCall.name, Sla.ListShifts.name, Sla.ListOverrides.name, Sla.Report.name,
            Sla.ListNotifications.name:
            needed = .reader
        case Sla.Acknowledge.name:
            // Writers, and a person's own Unix user (people.NAME.user) in no group at all.
            needed = await mayAcknowledge(peer) ? .none : .writer
        default:
            try? await replies.fail(.methodNotFound(call.method))
            return
        }
        guard access.role(of: peer) >= needed else {
            try? await replies.fail(.permissionDenied)
            return
        }
        // Only Watch streams; no method takes over the connection. Saying so beats a silent single reply.
        if call.upgrade || (call.more && method != Sla.Watch.name) {
            try? await replies.fail(.invalidParameter(call.upgrade ? "upgrade" : "more"))
            return
        }
        do {
            switch method {
            case Sla.Submit.name: try await replies.reply(try await submit(call.parameters, actor: peer.uid))
            case Sla.GetTicket.name: try await replies.reply(try await ticket(call.parameters).json)
            case Sla.ListTickets.name: try await replies.reply(try await list(call.parameters).json)
            case Sla.Status.name: try await replies.reply(await status().json)
            case Sla.Reload.name: try await replies.reply(try await reload(peer: peer).json)
            case Sla.CheckConfig.name: try await replies.reply(try checkConfig().json)
            case Sla.Backup.name: try await replies.reply(try await backup(call.parameters, peer: peer))
            case Sla.WhoIsOnCall.name: try await replies.reply(try await whoIsOnCall(call.parameters).json)
            case Sla.ListShifts.name: try await replies.reply(try await listShifts(call.parameters).json)
            case Sla.AddOverride.name:
                try await replies.reply(try await addOverride(call.parameters, actor: peer.uid).json)
            case Sla.RemoveOverride.name:
                try await replies.reply(try await removeOverride(call.parameters, actor: peer.uid).json)
            case Sla.ListOverrides.name: try await replies.reply(try await listOverrides(call.parameters).json)
            case Sla.Report.name: try await replies.reply(try await report(call.parameters).json)
            case Sla.Acknowledge.name: try await replies.reply(try await acknowledge(call.parameters, peer: peer).json)
            case Sla.ListNotifications.name:
                try await replies.reply(try await listNotifications(call.parameters).json)
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
        guard call.method == SlaInterface.Submit.qualifiedName, access.role(of: peer) >= .writer,
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
            switch EventFormat.decode(object: object) {
            case .success(let event): events.append(event)
            case .failure(let error): throw Self.invalidEvent(index, error.message)
            }
        }
        return events
    }

    private static func reply(to outcome: SubmitOutcome) throws(VarlinkError) -> [String: JSONValue] {
        switch outcome {
        case .accepted(let count):
            return SlaInterface.Submit.Reply(accepted: count).json
        case .refused(let index, .unknownTicket(let ticket)):
            throw VarlinkError(SlaInterface.UnknownTicket(ticket: ticket, index: index))
        case .refused(let index, let error):
            throw Self.invalidEvent(index, error.description)
        case .invalid(let index, let message):
            throw Self.invalidEvent(index, message)
        case .storageUnavailable(let reason):
            throw VarlinkError(SlaInterface.StorageUnavailable(reason: reason))
        }
    }

    private func backup(_ parameters: [String: JSONValue], peer: PeerCredentials) async throws -> [String: JSONValue] {
        guard case .string(let path)? = parameters["path"] else { throw VarlinkError.invalidParameter("path") }
        switch await host.backup(to: path, for: peer.uid) {
        case .success(let bytes):
            logger.notice("state backed up to \(path) for uid \(peer.uid): \(bytes) bytes")
            return SlaInterface.Backup.Reply(path: path, bytes: Int(bytes)).json
        case .failure(let refusal):
            throw VarlinkError(SlaInterface.BackupFailed(path: refusal.path, reason: refusal.reason))
        }
    }

    private static func invalidEvent(_ index: Int, _ message: String) -> VarlinkError {
        VarlinkError(SlaInterface.InvalidEvent(index: index, message: message))
    }

    private func ticket(_ parameters: [String: JSONValue]) async throws -> SlaInterface.GetTicket.Reply {
        let request: SlaInterface.GetTicket.Parameters
        do {
            request = try SlaInterface.GetTicket.Parameters(json: parameters)
        } catch {
            throw VarlinkError.invalidParameter(error.field)
        }
        // Ids are kept in NFC (see EventFormat): a lookup in another form finds the same ticket.
        let id = EventFormat.ticketIdentity(request.ticket)
        let skip = request.skip ?? 0
        guard skip >= 0 else { throw VarlinkError.invalidParameter("skip") }
        guard let view = await host.ticket(id) else {
            throw VarlinkError(SlaInterface.UnknownTicket(ticket: id))
        }
        let snapshot = view.snapshot
        let store = host.store
        var timeline: [String] = []
        var events: [StoredEvent] = []
        var truncated = 0
        do {
            let page = Self.timelineCeiling
            timeline = try store.timeline(ticket: id, limit: page, skip: skip)
            events = try store.events(ticket: id, limit: page, skip: skip)
            if timeline.count == page || events.count == page {
                let size = try store.historySize(ticket: id)
                truncated = max(size.events - skip - events.count, size.records - skip - timeline.count, 0)
            }
        } catch {
            logger.error("cannot read the history of \(id): \(error)")
        }
        var agreements: [String] = []
        for clock in snapshot.clocks where !agreements.contains(clock.agreement) { agreements.append(clock.agreement) }
        let ticket = SlaInterface.Ticket(
            ticket: id, state: snapshot.isResolved ? "resolved" : "open", priority: snapshot.priority,
            line: snapshot.line, sla: snapshot.sla, agreements: agreements, pauseReason: snapshot.pauseReason,
            clocks: zip(snapshot.clocks, view.calendarHours).map(Self.clock), events: events.map(Self.event),
            timeline: timeline.map(JSONValue.raw))
        return SlaInterface.GetTicket.Reply(ticket: ticket, truncated: truncated > 0 ? truncated : nil)
    }

    private static func clock(_ clock: ClockSnapshot, hours: String) -> SlaInterface.Clock {
        SlaInterface.Clock(
            clock: clock.clock.kind.rawValue, line: clock.clock.line, agreement: clock.agreement,
            calendar: clock.calendar, calendarHours: hours, state: clock.state.rawValue, counted: Int(clock.counted),
            target: clock.target.map { Int($0) }, remaining: clock.target.map { Int($0 - clock.counted) },
            due: clock.due.map(Timestamp.format))
    }

    /// An event as the replay input format has it, `at` being the instant slad applied it at.
    private static func event(_ stored: StoredEvent) -> SlaInterface.Event {
        var event = SlaInterface.Event(
            ticket: stored.event.ticket, event: stored.event.change.name, at: Timestamp.format(stored.at))
        func priority(_ choice: PriorityChoice) {
            switch choice {
            case .level(let level): event.priority = level
            case .matrix(let impact, let urgency):
                event.impact = impact
                event.urgency = urgency
            }
        }
        switch stored.event.change {
        case .open(let choice, let service, let customer, let line):
            priority(choice)
            event.service = service
            event.customer = customer
            event.line = line
        case .assign(let line): event.line = line
        case .pause(let reason): event.reason = reason
        case .reprioritize(let choice): priority(choice)
        case .respond, .resume, .resolve, .reopen, .close: break
        }
        return event
    }

    private func list(_ parameters: [String: JSONValue]) async throws -> SlaInterface.ListTickets.Reply {
        let request: SlaInterface.ListTickets.Parameters
        do {
            request = try SlaInterface.ListTickets.Parameters(json: parameters)
        } catch {
            throw VarlinkError.invalidParameter(error.field)
        }
        let filter = request.filter ?? TicketFilter()
        if let line = filter.line, !(1...4).contains(line) { throw VarlinkError.invalidParameter("filter.line") }
        var limit = Self.listDefault
        if let given = request.limit {
            guard given >= 0 else { throw VarlinkError.invalidParameter("limit") }
            limit = min(given, Self.listCeiling)
        }
        let tickets = await host.tickets(matching: filter, limit: limit)
        return SlaInterface.ListTickets.Reply(tickets: tickets.map(Self.summary))
    }

    private static func summary(_ summary: TicketSummary) -> SlaInterface.TicketSummary {
        SlaInterface.TicketSummary(
            ticket: summary.ticket, state: summary.isResolved ? "resolved" : "open", priority: summary.priority,
            line: summary.line, sla: summary.sla, breached: summary.isBreached, clock: summary.clock?.kind.rawValue,
            clockLine: summary.clock?.line, agreement: summary.agreement, due: summary.due.map(Timestamp.format),
            remaining: summary.remaining.map { Int($0) })
    }

    private func status() async -> SlaInterface.Status.Reply {
        let status = await host.status()
        return SlaInterface.Status.Reply(
            version: SladVersion.string,
            uptime: Int(max(0, Int64(Date().timeIntervalSince1970) - status.started.secondsSince1970)),
            config: status.configPath, configLoaded: Timestamp.format(status.configLoaded),
            openTickets: status.openTickets, armedTimers: status.armedTimers, breaches: status.breaches,
            nextDue: status.nextDue.map(Timestamp.format),
            timerLateness: status.timerLateness.map { lateness in
                SlaInterface.TimerLateness(
                    samples: lateness.samples, p50Milliseconds: lateness.p50 * 1000,
                    p99Milliseconds: lateness.p99 * 1000, maxMilliseconds: lateness.max * 1000)
            },
            journal: journalCounts.map { $0() }.map { counts in
                SlaInterface.JournalCounts(
                    written: Int(clamping: counts.written), dropped: Int(clamping: counts.dropped),
                    failed: Int(clamping: counts.failed))
            },
            tzdata: status.tzdataVersion, notifications: await notificationCounts())
    }

    private func reload(peer: PeerCredentials) async throws -> SlaInterface.Reload.Reply {
        switch await reloadConfiguration("uid \(peer.uid)") {
        case .applied(let summary):
            return SlaInterface.Summary(summary: summary)
        case .unchanged(let summary):
            return SlaInterface.Summary(summary: summary + " (unchanged)")
        case .refused(let errors):
            throw VarlinkError(SlaInterface.InvalidConfig(errors: errors))
        }
    }

    private func checkConfig() throws -> SlaInterface.CheckConfig.Reply {
        switch host.checkConfig() {
        case .success(let summary): return SlaInterface.Summary(summary: summary)
        case .failure(let errors):
            throw VarlinkError(SlaInterface.InvalidConfig(errors: errors.diagnostics.map(\.description)))
        }
    }

    private func watch(_ replies: VarlinkReplies) async throws {
        let records = feed.watch()
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await line in records {
                    do {
                        try await replies.reply(SlaInterface.Watch.Reply(record: .raw(line)).json, continues: true)
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

extension VarlinkError {
    /// The reply for one of io.slad.Sla's errors.
    init(_ error: some VarlinkErrorRecord) {
        self.init(name: type(of: error).qualifiedName, parameters: error.json)
    }
}
