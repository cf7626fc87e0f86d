import SLAJSON

// The `type`s of io.slad.Sla, one struct each, named as the interface description names them.
// Instants are RFC 3339 text (``Timestamp``), service seconds are `Int`.

extension SlaInterface {
    /// A ticket event in the replay input format (`type Event`): what slactl sends in `Submit`, and what
    /// `GetTicket` lists as the ticket's events.
    public struct Event: VarlinkRecord {
        /// The event names the engine knows.
        public enum Kind: String, CaseIterable, Sendable {
            case open, respond, assign, pause, resume, reprioritize, resolve, reopen, close
        }

        /// RFC 3339; nil lets slad use the moment it receives the event. In `GetTicket`, the instant slad
        /// applied the event at.
        public var at: String?
        public var ticket: String
        /// The event's name, one of ``Kind``'s raw values from this slad (a newer one may know more).
        public var event: String
        public var priority: String?
        public var impact: String?
        public var urgency: String?
        public var service: String?
        public var customer: String?
        public var line: Int?
        public var reason: String?

        /// An event; only the fields its kind takes should be set (slad refuses others).
        public init(
            ticket: String, kind: Kind, at: String? = nil, priority: String? = nil, impact: String? = nil,
            urgency: String? = nil, service: String? = nil, customer: String? = nil, line: Int? = nil,
            reason: String? = nil
        ) {
            self.init(
                ticket: ticket, event: kind.rawValue, at: at, priority: priority, impact: impact, urgency: urgency,
                service: service, customer: customer, line: line, reason: reason)
        }

        /// An event by its name on the wire.
        public init(
            ticket: String, event: String, at: String? = nil, priority: String? = nil, impact: String? = nil,
            urgency: String? = nil, service: String? = nil, customer: String? = nil, line: Int? = nil,
            reason: String? = nil
        ) {
            self.ticket = ticket
            self.event = event
            self.at = at
            self.priority = priority
            self.impact = impact
            self.urgency = urgency
            self.service = service
            self.customer = customer
            self.line = line
            self.reason = reason
        }

        /// The kind, nil for a name this build does not know.
        public var kind: Kind? { Kind(rawValue: event) }

        public static let fields: [VarlinkField] = [
            .init("at", "?string"), .init("ticket", "string"), .init("event", "string"),
            .init("priority", "?string"), .init("impact", "?string"), .init("urgency", "?string"),
            .init("service", "?string"), .init("customer", "?string"), .init("line", "?int"),
            .init("reason", "?string"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                ticket: try read.string("ticket"), event: try read.string("event"), at: try read.optionalString("at"),
                priority: try read.optionalString("priority"), impact: try read.optionalString("impact"),
                urgency: try read.optionalString("urgency"), service: try read.optionalString("service"),
                customer: try read.optionalString("customer"), line: try read.optionalInt("line"),
                reason: try read.optionalString("reason"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("at", at)
            write.set("ticket", ticket)
            write.set("event", event)
            write.set("priority", priority)
            write.set("impact", impact)
            write.set("urgency", urgency)
            write.set("service", service)
            write.set("customer", customer)
            write.set("line", line)
            write.set("reason", reason)
            return write.members
        }
    }

    /// One clock of a ticket (`type Clock`).
    public struct Clock: VarlinkRecord {
        /// `response`, `resolution` or `line`.
        public var clock: String
        /// The support line of a `line` clock.
        public var line: Int?
        public var agreement: String
        public var calendar: String
        /// When the calendar counts, for people.
        public var calendarHours: String
        /// running, paused, met, breached or stopped.
        public var state: String
        /// Service seconds counted so far.
        public var counted: Int
        /// Service seconds; nil when the agreement sets none for this priority.
        public var target: Int?
        /// `target - counted`; negative once past.
        public var remaining: Int?
        public var due: String?

        public init(
            clock: String, line: Int? = nil, agreement: String, calendar: String, calendarHours: String,
            state: String, counted: Int, target: Int? = nil, remaining: Int? = nil, due: String? = nil
        ) {
            self.clock = clock
            self.line = line
            self.agreement = agreement
            self.calendar = calendar
            self.calendarHours = calendarHours
            self.state = state
            self.counted = counted
            self.target = target
            self.remaining = remaining
            self.due = due
        }

        public static let fields: [VarlinkField] = [
            .init("clock", "string"), .init("line", "?int"), .init("agreement", "string"),
            .init("calendar", "string"), .init("calendar_hours", "string"), .init("state", "string"),
            .init("counted", "int"), .init("target", "?int"), .init("remaining", "?int"), .init("due", "?string"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                clock: try read.string("clock"), line: try read.optionalInt("line"),
                agreement: try read.string("agreement"), calendar: try read.string("calendar"),
                calendarHours: try read.string("calendar_hours"), state: try read.string("state"),
                counted: try read.int("counted"), target: try read.optionalInt("target"),
                remaining: try read.optionalInt("remaining"), due: try read.optionalString("due"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("clock", clock)
            write.set("line", line)
            write.set("agreement", agreement)
            write.set("calendar", calendar)
            write.set("calendar_hours", calendarHours)
            write.set("state", state)
            write.set("counted", counted)
            write.set("target", target)
            write.set("remaining", remaining)
            write.set("due", due)
            return write.members
        }
    }

    /// A ticket (`type Ticket`): its state, clocks, events and timeline.
    public struct Ticket: VarlinkRecord {
        public var ticket: String
        /// open or resolved.
        public var state: String
        public var priority: String
        public var line: Int
        public var sla: String
        public var agreements: [String]
        public var pauseReason: String?
        public var clocks: [Clock]
        public var events: [Event]
        /// Records in the replay output format, oldest first. slad writes them as the store holds them
        /// (`JSONValue.raw`, their fixed key order); read back they are objects.
        public var timeline: [JSONValue]

        public init(
            ticket: String, state: String, priority: String, line: Int, sla: String, agreements: [String],
            pauseReason: String? = nil, clocks: [Clock], events: [Event], timeline: [JSONValue]
        ) {
            self.ticket = ticket
            self.state = state
            self.priority = priority
            self.line = line
            self.sla = sla
            self.agreements = agreements
            self.pauseReason = pauseReason
            self.clocks = clocks
            self.events = events
            self.timeline = timeline
        }

        public static let fields: [VarlinkField] = [
            .init("ticket", "string"), .init("state", "string"), .init("priority", "string"), .init("line", "int"),
            .init("sla", "string"), .init("agreements", "[]string"), .init("pause_reason", "?string"),
            .init("clocks", "[]Clock"), .init("events", "[]Event"), .init("timeline", "[]object"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                ticket: try read.string("ticket"), state: try read.string("state"),
                priority: try read.string("priority"), line: try read.int("line"), sla: try read.string("sla"),
                agreements: try read.strings("agreements"), pauseReason: try read.optionalString("pause_reason"),
                clocks: try read.records("clocks"), events: try read.records("events"),
                timeline: try read.objects("timeline"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("ticket", ticket)
            write.set("state", state)
            write.set("priority", priority)
            write.set("line", line)
            write.set("sla", sla)
            write.set("agreements", agreements)
            write.set("pause_reason", pauseReason)
            write.set("clocks", clocks)
            write.set("events", events)
            write.set("timeline", timeline)
            return write.members
        }
    }

    /// One line of a ticket list (`type TicketSummary`); clock, due and remaining name the most urgent clock.
    public struct TicketSummary: VarlinkRecord {
        public var ticket: String
        public var state: String
        public var priority: String
        public var line: Int
        public var sla: String
        public var breached: Bool
        public var clock: String?
        public var clockLine: Int?
        public var agreement: String?
        public var due: String?
        public var remaining: Int?

        public init(
            ticket: String, state: String, priority: String, line: Int, sla: String, breached: Bool,
            clock: String? = nil, clockLine: Int? = nil, agreement: String? = nil, due: String? = nil,
            remaining: Int? = nil
        ) {
            self.ticket = ticket
            self.state = state
            self.priority = priority
            self.line = line
            self.sla = sla
            self.breached = breached
            self.clock = clock
            self.clockLine = clockLine
            self.agreement = agreement
            self.due = due
            self.remaining = remaining
        }

        public static let fields: [VarlinkField] = [
            .init("ticket", "string"), .init("state", "string"), .init("priority", "string"), .init("line", "int"),
            .init("sla", "string"), .init("breached", "bool"), .init("clock", "?string"),
            .init("clock_line", "?int"), .init("agreement", "?string"), .init("due", "?string"),
            .init("remaining", "?int"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                ticket: try read.string("ticket"), state: try read.string("state"),
                priority: try read.string("priority"), line: try read.int("line"), sla: try read.string("sla"),
                breached: try read.bool("breached"), clock: try read.optionalString("clock"),
                clockLine: try read.optionalInt("clock_line"), agreement: try read.optionalString("agreement"),
                due: try read.optionalString("due"), remaining: try read.optionalInt("remaining"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("ticket", ticket)
            write.set("state", state)
            write.set("priority", priority)
            write.set("line", line)
            write.set("sla", sla)
            write.set("breached", breached)
            write.set("clock", clock)
            write.set("clock_line", clockLine)
            write.set("agreement", agreement)
            write.set("due", due)
            write.set("remaining", remaining)
            return write.members
        }
    }

    /// Which open tickets `ListTickets` returns (`type Filter`); nil fields do not filter.
    ///
    /// Also the engine's query (SLACore calls it `TicketFilter`): `within` travels as a duration text and
    /// is held as the seconds it names, so the text is parsed once, where it enters.
    public struct Filter: VarlinkRecord {
        /// Only tickets with a breached clock (true) or without one (false). Resolved tickets never count as breached.
        public var breached: Bool?
        /// At risk (`within` on the wire): not breached, not resolved, and due within this many seconds.
        public var dueWithin: Int64?
        /// Held by this support line (1 to 4).
        public var line: Int?
        /// Under this agreement: the ticket's SLA or the agreement of the line that holds it.
        public var agreement: String?

        public init(breached: Bool? = nil, dueWithin: Int64? = nil, line: Int? = nil, agreement: String? = nil) {
            self.breached = breached
            self.dueWithin = dueWithin
            self.line = line
            self.agreement = agreement
        }

        /// True when no field filters.
        public var isEmpty: Bool { breached == nil && dueWithin == nil && line == nil && agreement == nil }

        public static let fields: [VarlinkField] = [
            .init("breached", "?bool"), .init("within", "?string"), .init("line", "?int"),
            .init("agreement", "?string"),
        ]

        /// Refuses unknown members (a request's typo must not widen the list) and a `within` that is not a
        /// duration in the configuration's syntax.
        public init(json: [String: JSONValue]) throws(ContractError) {
            try self.init(json: json, path: "")
        }

        /// ``init(json:)`` for the filter at `path`, which errors name (`filter.within`).
        public init(json: [String: JSONValue], path: String) throws(ContractError) {
            let read = FieldReader(json, path: path)
            try read.refuseUnknown(Self.fields)
            var dueWithin: Int64?
            if let text = try read.optionalString("within") {
                guard case .success(let seconds) = ServiceDuration.parse(text) else {
                    throw ContractError(field: read.path("within"), "is not a duration like 45m, 1h or 1h30m")
                }
                dueWithin = seconds
            }
            self.init(
                breached: try read.optionalBool("breached"), dueWithin: dueWithin, line: try read.optionalInt("line"),
                agreement: try read.optionalString("agreement"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("breached", breached)
            write.set("within", dueWithin.map(ServiceDuration.format))
            write.set("line", line)
            write.set("agreement", agreement)
            return write.members
        }
    }

    /// How late the timer emitted its recent records after their due instants (`type TimerLateness`).
    public struct TimerLateness: VarlinkRecord {
        public var samples: Int
        public var p50Milliseconds: Double
        public var p99Milliseconds: Double
        public var maxMilliseconds: Double

        public init(samples: Int, p50Milliseconds: Double, p99Milliseconds: Double, maxMilliseconds: Double) {
            self.samples = samples
            self.p50Milliseconds = p50Milliseconds
            self.p99Milliseconds = p99Milliseconds
            self.maxMilliseconds = maxMilliseconds
        }

        public static let fields: [VarlinkField] = [
            .init("samples", "int"), .init("p50_ms", "float"), .init("p99_ms", "float"), .init("max_ms", "float"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                samples: try read.int("samples"), p50Milliseconds: try read.double("p50_ms"),
                p99Milliseconds: try read.double("p99_ms"), maxMilliseconds: try read.double("max_ms"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("samples", samples)
            write.set("p50_ms", p50Milliseconds)
            write.set("p99_ms", p99Milliseconds)
            write.set("max_ms", maxMilliseconds)
            return write.members
        }
    }

    /// What became of the timeline records sent to the journal (`type JournalCounts`).
    public struct JournalCounts: VarlinkRecord {
        public var written: Int
        public var dropped: Int
        public var failed: Int

        public init(written: Int, dropped: Int, failed: Int) {
            self.written = written
            self.dropped = dropped
            self.failed = failed
        }

        public static let fields: [VarlinkField] = [
            .init("written", "int"), .init("dropped", "int"), .init("failed", "int"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(written: try read.int("written"), dropped: try read.int("dropped"), failed: try read.int("failed"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("written", written)
            write.set("dropped", dropped)
            write.set("failed", failed)
            return write.members
        }
    }
}
