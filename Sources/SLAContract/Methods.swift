import SLAJSON

/// A method of io.slad.Sla: its name, and the records of its parameters and its reply.
///
/// To add a method: declare it in the `.varlink` text (``SlaInterface/description``), add an enum here
/// with its `Parameters` and `Reply` (``NoFields`` for none), and add it to ``SlaInterface/methods``; the
/// agreement test then checks the three against each other. The daemon dispatches on ``name``.
public protocol VarlinkMethod {
    associatedtype Parameters: VarlinkRecord
    associatedtype Reply: VarlinkRecord
    /// The name without the interface: `Submit`.
    static var name: String { get }
}

extension VarlinkMethod {
    /// The name a call carries: `io.slad.Sla.Submit`.
    public static var qualifiedName: String { "\(SlaInterface.name).\(name)" }
    /// The method as the agreement table lists it.
    public static var declaration: SlaInterface.MethodDeclaration {
        .init(name: name, parameters: Parameters.fields, reply: Reply.fields)
    }
}

/// An error of io.slad.Sla, with its parameters.
public protocol VarlinkErrorRecord: VarlinkRecord {
    /// The name without the interface: `UnknownTicket`.
    static var name: String { get }
}

extension VarlinkErrorRecord {
    /// The name an error reply carries: `io.slad.Sla.UnknownTicket`.
    public static var qualifiedName: String { "\(SlaInterface.name).\(name)" }
}

/// The parameters or reply of a method that has none.
public struct NoFields: VarlinkRecord {
    public init() {}
    public static let fields: [VarlinkField] = []
    public init(json: [String: JSONValue]) {}
    public var json: [String: JSONValue] { [:] }
}

extension SlaInterface {
    /// `Submit(events: []Event) -> (accepted: int)`.
    public enum Submit: VarlinkMethod {
        public static let name = "Submit"

        public struct Parameters: VarlinkRecord {
            public var events: [Event]
            public init(events: [Event]) { self.events = events }
            public static let fields: [VarlinkField] = [.init("events", "[]Event")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(events: try FieldReader(json).records("events"))
            }
            public var json: [String: JSONValue] { ["events": .array(events.map(\.value))] }
        }

        public struct Reply: VarlinkRecord {
            public var accepted: Int
            public init(accepted: Int) { self.accepted = accepted }
            public static let fields: [VarlinkField] = [.init("accepted", "int")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(accepted: try FieldReader(json).int("accepted"))
            }
            public var json: [String: JSONValue] { ["accepted": .int(Int64(accepted))] }
        }
    }

    /// `GetTicket(ticket: string, skip: ?int) -> (ticket: Ticket, truncated: ?int)`.
    ///
    /// A reply holds at most ``historyPage`` events and as many timeline records, the newest; `skip`
    /// leaves out that many of the newest of each, so `skip: 10000` is the next older page.
    public enum GetTicket: VarlinkMethod {
        public static let name = "GetTicket"
        /// The most events, and the most timeline records, one reply holds.
        public static let historyPage = 10_000

        public struct Parameters: VarlinkRecord {
            public var ticket: String
            /// How many of the newest events and records to leave out (paging); nil for none.
            public var skip: Int?
            public init(ticket: String, skip: Int? = nil) {
                self.ticket = ticket
                self.skip = skip
            }
            public static let fields: [VarlinkField] = [.init("ticket", "string"), .init("skip", "?int")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(ticket: try read.string("ticket"), skip: try read.optionalInt("skip"))
            }
            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("ticket", ticket)
                write.set("skip", skip)
                return write.members
            }
        }

        public struct Reply: VarlinkRecord {
            public var ticket: Ticket
            /// How many older events or records (whichever is more) this reply left out; nil when none.
            public var truncated: Int?
            public init(ticket: Ticket, truncated: Int? = nil) {
                self.ticket = ticket
                self.truncated = truncated
            }
            public static let fields: [VarlinkField] = [.init("ticket", "Ticket"), .init("truncated", "?int")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(ticket: try read.record("ticket"), truncated: try read.optionalInt("truncated"))
            }
            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("ticket", ticket)
                write.set("truncated", truncated)
                return write.members
            }
        }
    }

    /// `ListTickets(filter: ?Filter, limit: ?int) -> (tickets: []TicketSummary)`.
    public enum ListTickets: VarlinkMethod {
        public static let name = "ListTickets"

        public struct Parameters: VarlinkRecord {
            public var filter: Filter?
            public var limit: Int?
            public init(filter: Filter? = nil, limit: Int? = nil) {
                self.filter = filter
                self.limit = limit
            }
            public static let fields: [VarlinkField] = [.init("filter", "?Filter"), .init("limit", "?int")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                var filter: Filter?
                if let given = read.optional("filter") {
                    guard case .object(let members) = given else {
                        throw ContractError(field: "filter", "is not an object")
                    }
                    filter = try Filter(json: members, path: "filter")
                }
                self.init(filter: filter, limit: try read.optionalInt("limit"))
            }
            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("filter", filter)
                write.set("limit", limit)
                return write.members
            }
        }

        public struct Reply: VarlinkRecord {
            public var tickets: [TicketSummary]
            public init(tickets: [TicketSummary]) { self.tickets = tickets }
            public static let fields: [VarlinkField] = [.init("tickets", "[]TicketSummary")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(tickets: try FieldReader(json).records("tickets"))
            }
            public var json: [String: JSONValue] { ["tickets": .array(tickets.map(\.value))] }
        }
    }

    /// `Watch() -> (record: object)`, called with `more`.
    public enum Watch: VarlinkMethod {
        public static let name = "Watch"
        public typealias Parameters = NoFields

        public struct Reply: VarlinkRecord {
            /// A timeline record in the replay output format.
            public var record: JSONValue
            public init(record: JSONValue) { self.record = record }
            public static let fields: [VarlinkField] = [.init("record", "object")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(record: try FieldReader(json).object("record"))
            }
            public var json: [String: JSONValue] { ["record": record] }
        }
    }

    /// `Status() -> (version, uptime, ...)`: the daemon's health.
    public enum Status: VarlinkMethod {
        public static let name = "Status"
        public typealias Parameters = NoFields

        /// To add a field: the `.varlink` text's `Status` reply, a property here,
        /// ``fields``, `init(json:)`, ``json``; the daemon sets it where it builds the reply.
        public struct Reply: VarlinkRecord {
            public var version: String
            /// Seconds since slad started.
            public var uptime: Int
            public var config: String
            public var configLoaded: String
            public var openTickets: Int
            public var armedTimers: Int
            public var breaches: Int
            public var nextDue: String?
            public var timerLateness: TimerLateness?
            public var journal: JournalCounts?
            /// The tzdata release the running calendars' zone rules were read from (`2026f`).
            public var tzdata: String?
            /// The outbox: pending and failed notifications, channels failing (issue 11).
            public var notifications: NotificationCounts?

            public init(
                version: String, uptime: Int, config: String, configLoaded: String, openTickets: Int,
                armedTimers: Int, breaches: Int, nextDue: String? = nil, timerLateness: TimerLateness? = nil,
                journal: JournalCounts? = nil, tzdata: String? = nil, notifications: NotificationCounts? = nil
            ) {
                self.version = version
                self.uptime = uptime
                self.config = config
                self.configLoaded = configLoaded
                self.openTickets = openTickets
                self.armedTimers = armedTimers
                self.breaches = breaches
                self.nextDue = nextDue
                self.timerLateness = timerLateness
                self.journal = journal
                self.tzdata = tzdata
                self.notifications = notifications
            }

            public static let fields: [VarlinkField] = [
                .init("version", "string"), .init("uptime", "int"), .init("config", "string"),
                .init("config_loaded", "string"), .init("open_tickets", "int"), .init("armed_timers", "int"),
                .init("breaches", "int"), .init("next_due", "?string"), .init("timer_lateness", "?TimerLateness"),
                .init("journal", "?JournalCounts"), .init("tzdata", "?string"),
                .init("notifications", "?NotificationCounts"),
            ]

            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(
                    version: try read.string("version"), uptime: try read.int("uptime"),
                    config: try read.string("config"), configLoaded: try read.string("config_loaded"),
                    openTickets: try read.int("open_tickets"), armedTimers: try read.int("armed_timers"),
                    breaches: try read.int("breaches"), nextDue: try read.optionalString("next_due"),
                    timerLateness: try read.optionalRecord("timer_lateness"),
                    journal: try read.optionalRecord("journal"), tzdata: try read.optionalString("tzdata"),
                    notifications: try read.optionalRecord("notifications"))
            }

            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("version", version)
                write.set("uptime", uptime)
                write.set("config", config)
                write.set("config_loaded", configLoaded)
                write.set("open_tickets", openTickets)
                write.set("armed_timers", armedTimers)
                write.set("breaches", breaches)
                write.set("next_due", nextDue)
                write.set("timer_lateness", timerLateness)
                write.set("journal", journal)
                write.set("tzdata", tzdata)
                write.set("notifications", notifications)
                return write.members
            }
        }
    }

    /// The reply of `Reload` and `CheckConfig`: one sentence.
    public struct Summary: VarlinkRecord {
        public var summary: String
        public init(summary: String) { self.summary = summary }
        public static let fields: [VarlinkField] = [.init("summary", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            self.init(summary: try FieldReader(json).string("summary"))
        }
        public var json: [String: JSONValue] { ["summary": .string(summary)] }
    }

    /// `Reload() -> (summary: string)`.
    public enum Reload: VarlinkMethod {
        public static let name = "Reload"
        public typealias Parameters = NoFields
        public typealias Reply = Summary
    }

    /// `CheckConfig() -> (summary: string)`.
    public enum CheckConfig: VarlinkMethod {
        public static let name = "CheckConfig"
        public typealias Parameters = NoFields
        public typealias Reply = Summary
    }

    /// `Backup(path: string) -> (path: string, bytes: int)`: a consistent copy of the state in a new file.
    public enum Backup: VarlinkMethod {
        public static let name = "Backup"

        public struct Parameters: VarlinkRecord {
            public var path: String
            public init(path: String) { self.path = path }
            public static let fields: [VarlinkField] = [.init("path", "string")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(path: try FieldReader(json).string("path"))
            }
            public var json: [String: JSONValue] { ["path": .string(path)] }
        }

        public struct Reply: VarlinkRecord {
            public var path: String
            public var bytes: Int
            public init(path: String, bytes: Int) {
                self.path = path
                self.bytes = bytes
            }
            public static let fields: [VarlinkField] = [.init("path", "string"), .init("bytes", "int")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(path: try read.string("path"), bytes: try read.int("bytes"))
            }
            public var json: [String: JSONValue] { ["path": .string(path), "bytes": .int(Int64(bytes))] }
        }
    }

    // MARK: - Errors

    /// `error UnknownTicket (ticket: string, index: ?int)`: the ticket is not open.
    public struct UnknownTicket: VarlinkErrorRecord {
        public static let name = "UnknownTicket"
        public var ticket: String
        /// In `Submit`, the event that named it (from 0).
        public var index: Int?
        public init(ticket: String, index: Int? = nil) {
            self.ticket = ticket
            self.index = index
        }
        public static let fields: [VarlinkField] = [.init("ticket", "string"), .init("index", "?int")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(ticket: try read.string("ticket"), index: try read.optionalInt("index"))
        }
        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("ticket", ticket)
            write.set("index", index)
            return write.members
        }
    }

    /// `error InvalidEvent (index: int, message: string)`: nothing of the batch was applied.
    public struct InvalidEvent: VarlinkErrorRecord {
        public static let name = "InvalidEvent"
        public var index: Int
        public var message: String
        public init(index: Int, message: String) {
            self.index = index
            self.message = message
        }
        public static let fields: [VarlinkField] = [.init("index", "int"), .init("message", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(index: try read.int("index"), message: try read.string("message"))
        }
        public var json: [String: JSONValue] { ["index": .int(Int64(index)), "message": .string(message)] }
    }

    /// `error InvalidConfig (errors: []string)`: each `file:line:column: sentence`.
    public struct InvalidConfig: VarlinkErrorRecord {
        public static let name = "InvalidConfig"
        public var errors: [String]
        public init(errors: [String]) { self.errors = errors }
        public static let fields: [VarlinkField] = [.init("errors", "[]string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            self.init(errors: try FieldReader(json).strings("errors"))
        }
        public var json: [String: JSONValue] { ["errors": .array(errors.map(JSONValue.string))] }
    }

    /// `error StorageUnavailable (reason: string)`: the disk is full; nothing of the batch was applied.
    public struct StorageUnavailable: VarlinkErrorRecord {
        public static let name = "StorageUnavailable"
        public var reason: String
        public init(reason: String) { self.reason = reason }
        public static let fields: [VarlinkField] = [.init("reason", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            self.init(reason: try FieldReader(json).string("reason"))
        }
        public var json: [String: JSONValue] { ["reason": .string(reason)] }
    }

    /// `error BackupFailed (path: string, reason: string)`: no backup was written.
    public struct BackupFailed: VarlinkErrorRecord {
        public static let name = "BackupFailed"
        public var path: String
        public var reason: String
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        public static let fields: [VarlinkField] = [.init("path", "string"), .init("reason", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(path: try read.string("path"), reason: try read.string("reason"))
        }
        public var json: [String: JSONValue] { ["path": .string(path), "reason": .string(reason)] }
    }

    // MARK: - The table the agreement test compares with the description

    /// A method as the description declares it.
    public struct MethodDeclaration: Equatable, Sendable {
        public var name: String
        public var parameters: [VarlinkField]
        public var reply: [VarlinkField]

        public init(name: String, parameters: [VarlinkField], reply: [VarlinkField]) {
            self.name = name
            self.parameters = parameters
            self.reply = reply
        }
    }

    /// A `type` or an `error` as the description declares it.
    public struct RecordDeclaration: Equatable, Sendable {
        public var name: String
        public var fields: [VarlinkField]

        public init(_ name: String, _ fields: [VarlinkField]) {
            self.name = name
            self.fields = fields
        }
    }

    /// Every method, in the description's order.
    public static let methods: [MethodDeclaration] = [
        Submit.declaration, GetTicket.declaration, ListTickets.declaration, Watch.declaration,
        Status.declaration, Reload.declaration, CheckConfig.declaration, Backup.declaration,
        WhoIsOnCall.declaration, ListShifts.declaration, AddOverride.declaration, RemoveOverride.declaration,
        ListOverrides.declaration, Report.declaration, Acknowledge.declaration, ListNotifications.declaration,
    ]

    /// Every `type`, in the description's order.
    public static let types: [RecordDeclaration] = [
        .init("Event", Event.fields), .init("Clock", Clock.fields), .init("Ticket", Ticket.fields),
        .init("TicketSummary", TicketSummary.fields), .init("Filter", Filter.fields),
        .init("TimerLateness", TimerLateness.fields), .init("JournalCounts", JournalCounts.fields),
        .init("NotificationCounts", NotificationCounts.fields), .init("Contact", Contact.fields),
        .init("Person", Person.fields), .init("Shift", Shift.fields),
        .init("OnCall", OnCall.fields), .init("Override", Override.fields),
        .init("Notification", Notification.fields), .init("Acknowledgement", Acknowledgement.fields),
    ]

    /// Every `error`, in the description's order.
    public static let errors: [RecordDeclaration] = [
        .init(UnknownTicket.name, UnknownTicket.fields), .init(InvalidEvent.name, InvalidEvent.fields),
        .init(InvalidConfig.name, InvalidConfig.fields), .init(StorageUnavailable.name, StorageUnavailable.fields),
        .init(BackupFailed.name, BackupFailed.fields), .init(UnknownTeam.name, UnknownTeam.fields),
        .init(NoTeam.name, NoTeam.fields), .init(InvalidOverride.name, InvalidOverride.fields),
        .init(UnknownOverride.name, UnknownOverride.fields),
    ]
}
