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
        try client.stream(SlaInterface.Methods.watch, [:]) { parameters in
            try each(JSONFields.object(parameters, "record") ?? [:])
        }
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
