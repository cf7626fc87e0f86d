import SLAContract
import SLAJSON

/// A reply of slad: its parameters read into the method's reply type, and as they came, so that
/// `--json` prints them unchanged (fields a newer slad added included).
public struct ControlReply<Value: VarlinkRecord>: Sendable {
    /// The reply's parameters, typed.
    public var value: Value
    /// The reply's parameters as slad sent them.
    public var parameters: [String: JSONValue]

    /// A reply from its parts.
    public init(value: Value, parameters: [String: JSONValue]) {
        self.value = value
        self.parameters = parameters
    }
}

/// The `io.slad.Sla` methods over one ``VarlinkClient``, each with the interface's parameter and reply types.
public struct SlaControl {
    public typealias Sla = SlaInterface

    /// The connection the calls go over.
    public let client: VarlinkClient

    /// Wraps a connected client.
    public init(client: VarlinkClient) {
        self.client = client
    }

    /// Connects to slad's socket at `socketPath`.
    public init(socketPath: String) throws {
        self.client = try VarlinkClient(socketPath: socketPath)
    }

    /// Calls `method` and reads its reply.
    /// - Throws: as ``VarlinkClient/call(_:_:)``; `ControlError.protocolViolation` when the reply does not
    ///   fit the interface (another program's socket, or a slad of another version).
    public func call<Method: VarlinkMethod>(
        _ method: Method.Type, _ parameters: Method.Parameters
    ) throws -> ControlReply<Method.Reply> {
        let reply = try client.call(Method.qualifiedName, parameters.json)
        return ControlReply(value: try Self.read(Method.Reply.self, reply, of: Method.self), parameters: reply)
    }

    /// `Submit(events)`: applies the events atomically; the reply carries `accepted`.
    public func submit(_ events: [Sla.Event]) throws -> ControlReply<Sla.Submit.Reply> {
        try call(Sla.Submit.self, .init(events: events))
    }

    /// `Submit` of one event.
    public func submit(_ event: Sla.Event) throws -> ControlReply<Sla.Submit.Reply> {
        try submit([event])
    }

    /// `Submit` of event objects as a file has them: slad, not slactl, decides whether each is an event.
    public func submit(objects: [[String: JSONValue]]) throws -> ControlReply<Sla.Submit.Reply> {
        let reply = try client.call(Sla.Submit.qualifiedName, ["events": .array(objects.map(JSONValue.object))])
        return ControlReply(value: try Self.read(Sla.Submit.Reply.self, reply, of: Sla.Submit.self), parameters: reply)
    }

    /// `GetTicket(ticket, skip)`: one page of the ticket's history, the newest unless `skip` says otherwise.
    public func ticket(_ ticket: String, skip: Int? = nil) throws -> ControlReply<Sla.GetTicket.Reply> {
        try call(Sla.GetTicket.self, .init(ticket: ticket, skip: skip))
    }

    /// `GetTicket` until the whole history is read: while a reply says it left older events or records
    /// out (`truncated`), the next call skips what came so far. The result has all events and records,
    /// oldest first, and no `truncated`. A ticket that receives events meanwhile may show some twice
    /// or miss some: the pages are counted from the newest.
    public func wholeTicket(_ ticket: String) throws -> ControlReply<Sla.GetTicket.Reply> {
        var first = try self.ticket(ticket)
        guard first.value.truncated != nil else { return first }
        var whole = first.value.ticket
        var skip = 0
        var page = first.value
        while let truncated = page.truncated, truncated > 0 {
            let step = max(page.ticket.events.count, page.ticket.timeline.count)
            guard step > 0 else { break }
            skip += step
            page = try self.ticket(ticket, skip: skip).value
            whole.events = page.ticket.events + whole.events
            whole.timeline = page.ticket.timeline + whole.timeline
        }
        first.value = Sla.GetTicket.Reply(ticket: whole)
        first.parameters = first.value.json
        return first
    }

    /// `ListTickets(filter, limit)`: open tickets, most urgent first.
    public func tickets(_ filter: Sla.Filter = Sla.Filter(), limit: Int? = nil) throws -> ControlReply<Sla.ListTickets.Reply> {
        try call(Sla.ListTickets.self, .init(filter: filter.isEmpty ? nil : filter, limit: limit))
    }

    /// `Watch()` with `more`: each record goes to `each` until it returns false.
    public func watch(_ each: (JSONValue) throws -> Bool) throws {
        try watch { record, _ in try each(record) }
    }

    /// ``watch(_:)`` with each record's text too: the replay output format line exactly as slad sent
    /// it (its key order, its number forms), so `slactl watch --json` prints what `slad replay`
    /// prints. A reply not shaped as slad writes it gets the record re-serialised instead.
    public func watch(_ each: (_ record: JSONValue, _ line: String) throws -> Bool) throws {
        try client.stream(Sla.Watch.qualifiedName, [:], withText: { parameters, text in
            let reply = try Self.read(Sla.Watch.Reply.self, parameters, of: Sla.Watch.self)
            return try each(reply.record, Self.recordText(text, parameters: parameters) ?? reply.record.encodedString())
        })
    }

    /// The record's own text in a reply `{"parameters":{"record":…}[,"continues":true]}`.
    static func recordText(_ reply: [UInt8], parameters: [String: JSONValue]) -> String? {
        let head = Array(#"{"parameters":{"record":"#.utf8)
        guard parameters.count == 1, reply.starts(with: head) else { return nil }
        for tail in [Array(#"},"continues":true}"#.utf8), Array("}}".utf8)] where reply.count >= head.count + tail.count {
            guard reply.suffix(tail.count).elementsEqual(tail) else { continue }
            let record = reply[head.count..<(reply.count - tail.count)]
            guard record.first == UInt8(ascii: "{"), record.last == UInt8(ascii: "}") else { return nil }
            return String(decoding: record, as: UTF8.self)
        }
        return nil
    }

    /// `Status()`: version, uptime, configuration, counts.
    public func status() throws -> ControlReply<Sla.Status.Reply> {
        try call(Sla.Status.self, NoFields())
    }

    /// `Reload()`: the reply's `summary`; `InvalidConfig` when the file has errors.
    public func reload() throws -> ControlReply<Sla.Summary> {
        try call(Sla.Reload.self, NoFields())
    }

    /// `CheckConfig()`: the reply's `summary`; `InvalidConfig` when the file has errors.
    public func checkConfig() throws -> ControlReply<Sla.Summary> {
        try call(Sla.CheckConfig.self, NoFields())
    }

    /// `Backup(path)`: the copy's `path` and size in `bytes`; `BackupFailed` with the reason.
    public func backup(path: String) throws -> ControlReply<Sla.Backup.Reply> {
        try call(Sla.Backup.self, Sla.Backup.Parameters(path: path))
    }

    /// `Report(...)`: the service level report in the form asked, from the outcomes slad kept.
    public func report(_ parameters: Sla.Report.Parameters) throws -> ControlReply<Sla.Report.Reply> {
        try call(Sla.Report.self, parameters)
    }

    /// `WhoIsOnCall(team, line, at)`.
    public func whoIsOnCall(team: String?, line: Int?, at: String?) throws -> ControlReply<Sla.WhoIsOnCall.Reply> {
        try call(Sla.WhoIsOnCall.self, .init(team: team, line: line, at: at))
    }

    /// `ListShifts(team, from, until)`.
    public func shifts(team: String, from: String, until: String) throws -> ControlReply<Sla.ListShifts.Reply> {
        try call(Sla.ListShifts.self, .init(team: team, from: from, until: until))
    }

    /// `AddOverride(team, person, start, end)`: the new override's id.
    public func addOverride(team: String, person: String, start: String, end: String) throws
        -> ControlReply<Sla.AddOverride.Reply>
    {
        try call(Sla.AddOverride.self, .init(team: team, person: person, start: start, end: end))
    }

    /// `RemoveOverride(id)`.
    public func removeOverride(id: String) throws -> ControlReply<NoFields> {
        try call(Sla.RemoveOverride.self, .init(id: id))
    }

    /// `Acknowledge(ticket, note)`.
    public func acknowledge(ticket: String, note: String?) throws -> ControlReply<Sla.Acknowledge.Reply> {
        try call(Sla.Acknowledge.self, .init(ticket: ticket, note: note))
    }

    /// `ListNotifications(ticket, state)`.
    public func notifications(ticket: String?, state: String?) throws -> ControlReply<Sla.ListNotifications.Reply> {
        try call(Sla.ListNotifications.self, .init(ticket: ticket, state: state))
    }

    /// `ListOverrides(team)`.
    public func overrides(team: String?) throws -> ControlReply<Sla.ListOverrides.Reply> {
        try call(Sla.ListOverrides.self, .init(team: team))
    }

    private static func read<Record: VarlinkRecord, Method: VarlinkMethod>(
        _ type: Record.Type, _ parameters: [String: JSONValue], of method: Method.Type
    ) throws -> Record {
        do {
            return try Record(json: parameters)
        } catch {
            throw ControlError.protocolViolation(
                "the reply to \(Method.qualifiedName) does not fit the interface: \(error); check that slactl and "
                    + "slad are the same version")
        }
    }
}
