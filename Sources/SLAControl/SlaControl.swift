/// The `io.slad.Sla` methods over one ``VarlinkClient``. Each returns the reply's parameters as they came,
/// so that `--json` can print them unchanged; the formatters read what they show from them.
public struct SlaControl {
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

    /// `Submit(events)`: applies the events atomically; the reply carries `accepted`.
    public func submit(_ events: [[String: Any]]) throws -> [String: Any] {
        try client.call(SlaInterface.Methods.submit, ["events": events])
    }

    /// `Submit` of one event.
    public func submit(_ event: ControlEvent) throws -> [String: Any] {
        try submit([event.object])
    }

    /// `GetTicket(ticket)`: the reply's `ticket` holds state, clocks, events and timeline.
    public func ticket(_ ticket: String) throws -> [String: Any] {
        try client.call(SlaInterface.Methods.getTicket, ["ticket": ticket])
    }

    /// `ListTickets(filter, limit)`: open tickets, most urgent first, in the reply's `tickets`.
    public func tickets(_ filter: TicketFilter = TicketFilter(), limit: Int? = nil) throws -> [String: Any] {
        var parameters: [String: Any] = [:]
        if !filter.isEmpty { parameters["filter"] = filter.object }
        if let limit { parameters["limit"] = limit }
        return try client.call(SlaInterface.Methods.listTickets, parameters)
    }

    /// `Watch()` with `more`: each reply's `record` (a timeline record) goes to `each` until it returns false.
    public func watch(_ each: ([String: Any]) throws -> Bool) throws {
        try watch { record, _ in try each(record) }
    }

    /// ``watch(_:)`` with each record's text too: the replay output format line exactly as slad sent
    /// it (its key order, its number forms), so `slactl watch --json` prints what `slad replay`
    /// prints. A reply not shaped as slad writes it gets the record re-serialised instead.
    public func watch(_ each: (_ record: [String: Any], _ line: String) throws -> Bool) throws {
        try client.stream(SlaInterface.Methods.watch, [:], withText: { parameters, text in
            let record = JSONFields.object(parameters, "record") ?? [:]
            return try each(record, Self.recordText(text, parameters: parameters) ?? JSONText.line(record))
        })
    }

    /// The record's own text in a reply `{"parameters":{"record":…}[,"continues":true]}`.
    static func recordText(_ reply: [UInt8], parameters: [String: Any]) -> String? {
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
    public func status() throws -> [String: Any] {
        try client.call(SlaInterface.Methods.status)
    }

    /// `Reload()`: the reply's `summary`; `InvalidConfig` when the file has errors.
    public func reload() throws -> [String: Any] {
        try client.call(SlaInterface.Methods.reload)
    }

    /// `CheckConfig()`: the reply's `summary`; `InvalidConfig` when the file has errors.
    public func checkConfig() throws -> [String: Any] {
        try client.call(SlaInterface.Methods.checkConfig)
    }
}

/// Which open tickets `ListTickets` returns: the interface's `Filter`.
public struct TicketFilter: Equatable, Sendable {
    /// Only breached tickets (true) or only those not breached (false).
    public var breached: Bool?
    /// At risk: due within this duration (`"1h"`), or breached.
    public var within: String?
    /// Only tickets held by this support line (1 to 4).
    public var line: Int?
    /// Only tickets under this agreement.
    public var agreement: String?

    /// A filter; nil fields do not filter.
    public init(breached: Bool? = nil, within: String? = nil, line: Int? = nil, agreement: String? = nil) {
        self.breached = breached
        self.within = within
        self.line = line
        self.agreement = agreement
    }

    /// True when no field filters.
    public var isEmpty: Bool { breached == nil && within == nil && line == nil && agreement == nil }

    /// The `Filter` object, without its nil fields.
    public var object: [String: Any] {
        var object: [String: Any] = [:]
        if let breached { object["breached"] = breached }
        if let within { object["within"] = within }
        if let line { object["line"] = line }
        if let agreement { object["agreement"] = agreement }
        return object
    }
}
