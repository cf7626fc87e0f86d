import SLAJSON

// The notification part of io.slad.Sla: acknowledgements and the outbox (issue 11).

extension SlaInterface {
    /// `type NotificationCounts` in `Status`.
    public struct NotificationCounts: VarlinkRecord {
        public var pending: Int
        public var failed: Int
        public var failingChannels: [String]
        public var disabledChannels: [String]
        public init(pending: Int, failed: Int, failingChannels: [String] = [], disabledChannels: [String] = []) {
            self.pending = pending
            self.failed = failed
            self.failingChannels = failingChannels
            self.disabledChannels = disabledChannels
        }
        public static let fields: [VarlinkField] = [
            .init("pending", "int"), .init("failed", "int"), .init("failing_channels", "[]string"),
            .init("disabled_channels", "[]string"),
        ]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                pending: try read.int("pending"), failed: try read.int("failed"),
                failingChannels: try read.strings("failing_channels"),
                disabledChannels: try read.strings("disabled_channels"))
        }
        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("pending", pending)
            write.set("failed", failed)
            write.set("failing_channels", failingChannels)
            write.set("disabled_channels", disabledChannels)
            return write.members
        }
    }

    /// `type Notification`: one notice in the outbox. `state` is pending, sent, failed, cancelled or
    /// acknowledged; `purpose` first, repeat, unacknowledged or reminder; `follows` the id of the notice
    /// whose failed channel this one took over from.
    public struct Notification: VarlinkRecord {
        public var id: String
        public var ticket: String
        public var person: String
        public var channel: String
        public var purpose: String
        public var round: Int
        public var state: String
        public var due: String
        public var attempts: Int
        public var lastError: String?
        public var done: String?
        public var late: Bool
        public var follows: String?

        public init(
            id: String, ticket: String, person: String, channel: String, purpose: String, round: Int, state: String,
            due: String, attempts: Int, lastError: String? = nil, done: String? = nil, late: Bool = false,
            follows: String? = nil
        ) {
            self.id = id
            self.ticket = ticket
            self.person = person
            self.channel = channel
            self.purpose = purpose
            self.round = round
            self.state = state
            self.due = due
            self.attempts = attempts
            self.lastError = lastError
            self.done = done
            self.late = late
            self.follows = follows
        }

        public static let fields: [VarlinkField] = [
            .init("id", "string"), .init("ticket", "string"), .init("person", "string"), .init("channel", "string"),
            .init("purpose", "string"), .init("round", "int"), .init("state", "string"), .init("due", "string"),
            .init("attempts", "int"), .init("last_error", "?string"), .init("done", "?string"),
            .init("late", "bool"), .init("follows", "?string"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                id: try read.string("id"), ticket: try read.string("ticket"), person: try read.string("person"),
                channel: try read.string("channel"), purpose: try read.string("purpose"), round: try read.int("round"),
                state: try read.string("state"), due: try read.string("due"), attempts: try read.int("attempts"),
                lastError: try read.optionalString("last_error"), done: try read.optionalString("done"),
                late: try read.bool("late"), follows: try read.optionalString("follows"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("id", id)
            write.set("ticket", ticket)
            write.set("person", person)
            write.set("channel", channel)
            write.set("purpose", purpose)
            write.set("round", round)
            write.set("state", state)
            write.set("due", due)
            write.set("attempts", attempts)
            write.set("last_error", lastError)
            write.set("done", done)
            write.set("late", late)
            write.set("follows", follows)
            return write.members
        }
    }

    /// `type Acknowledgement`: who acknowledged a ticket (the person from the peer's Unix user, else
    /// only the uid), when, with what note, and how many pending notices it cancelled.
    public struct Acknowledgement: VarlinkRecord {
        public var ticket: String
        public var person: String?
        public var actor: Int
        public var note: String?
        public var at: String
        public var cancelled: Int

        public init(ticket: String, person: String?, actor: Int, note: String?, at: String, cancelled: Int) {
            self.ticket = ticket
            self.person = person
            self.actor = actor
            self.note = note
            self.at = at
            self.cancelled = cancelled
        }

        public static let fields: [VarlinkField] = [
            .init("ticket", "string"), .init("person", "?string"), .init("actor", "int"), .init("note", "?string"),
            .init("at", "string"), .init("cancelled", "int"),
        ]

        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                ticket: try read.string("ticket"), person: try read.optionalString("person"),
                actor: try read.int("actor"),
                note: try read.optionalString("note"), at: try read.string("at"), cancelled: try read.int("cancelled"))
        }

        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("ticket", ticket)
            write.set("person", person)
            write.set("actor", actor)
            write.set("note", note)
            write.set("at", at)
            write.set("cancelled", cancelled)
            return write.members
        }
    }

    /// `Acknowledge(ticket: string, note: ?string) -> (cancelled: int)`: every pending notice of the
    /// ticket cancelled in one transaction; 0 when nothing was pending (not an error).
    public enum Acknowledge: VarlinkMethod {
        public static let name = "Acknowledge"

        public struct Parameters: VarlinkRecord {
            public var ticket: String
            public var note: String?
            public init(ticket: String, note: String? = nil) {
                self.ticket = ticket
                self.note = note
            }
            public static let fields: [VarlinkField] = [.init("ticket", "string"), .init("note", "?string")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(ticket: try read.string("ticket"), note: try read.optionalString("note"))
            }
            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("ticket", ticket)
                write.set("note", note)
                return write.members
            }
        }

        public struct Reply: VarlinkRecord {
            public var cancelled: Int
            public init(cancelled: Int) { self.cancelled = cancelled }
            public static let fields: [VarlinkField] = [.init("cancelled", "int")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(cancelled: try FieldReader(json).int("cancelled"))
            }
            public var json: [String: JSONValue] { ["cancelled": .int(Int64(cancelled))] }
        }
    }

    /// `ListNotifications(ticket: ?string, state: ?string) -> (notifications: []Notification,
    /// acknowledgements: []Acknowledgement)`, newest first; acknowledgements only with a ticket.
    public enum ListNotifications: VarlinkMethod {
        public static let name = "ListNotifications"

        public struct Parameters: VarlinkRecord {
            public var ticket: String?
            public var state: String?
            public init(ticket: String? = nil, state: String? = nil) {
                self.ticket = ticket
                self.state = state
            }
            public static let fields: [VarlinkField] = [.init("ticket", "?string"), .init("state", "?string")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(ticket: try read.optionalString("ticket"), state: try read.optionalString("state"))
            }
            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("ticket", ticket)
                write.set("state", state)
                return write.members
            }
        }

        public struct Reply: VarlinkRecord {
            public var notifications: [Notification]
            public var acknowledgements: [Acknowledgement]
            public init(notifications: [Notification], acknowledgements: [Acknowledgement]) {
                self.notifications = notifications
                self.acknowledgements = acknowledgements
            }
            public static let fields: [VarlinkField] = [
                .init("notifications", "[]Notification"), .init("acknowledgements", "[]Acknowledgement"),
            ]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(
                    notifications: try read.records("notifications"),
                    acknowledgements: try read.records("acknowledgements"))
            }
            public var json: [String: JSONValue] {
                [
                    "notifications": .array(notifications.map(\.value)),
                    "acknowledgements": .array(acknowledgements.map(\.value)),
                ]
            }
        }
    }
}
