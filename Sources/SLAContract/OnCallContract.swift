import SLAJSON

// The on-call part of io.slad.Sla: who is on call, shifts and overrides.

extension SlaInterface {
    /// `type Contact (channel: string, address: string)`: one way to reach a person.
    public struct Contact: VarlinkRecord {
        public var channel: String
        public var address: String
        public init(channel: String, address: String) {
            self.channel = channel
            self.address = address
        }
        public static let fields: [VarlinkField] = [.init("channel", "string"), .init("address", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(channel: try read.string("channel"), address: try read.string("address"))
        }
        public var json: [String: JSONValue] { ["channel": .string(channel), "address": .string(address)] }
    }

    /// `type Person (id, name: ?string, timezone: ?string, contacts: []Contact)`.
    public struct Person: VarlinkRecord {
        public var id: String
        public var name: String?
        public var timezone: String?
        public var contacts: [Contact]
        public init(id: String, name: String? = nil, timezone: String? = nil, contacts: [Contact] = []) {
            self.id = id
            self.name = name
            self.timezone = timezone
            self.contacts = contacts
        }
        public static let fields: [VarlinkField] = [
            .init("id", "string"), .init("name", "?string"), .init("timezone", "?string"),
            .init("contacts", "[]Contact"),
        ]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                id: try read.string("id"), name: try read.optionalString("name"),
                timezone: try read.optionalString("timezone"), contacts: try read.records("contacts"))
        }
        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("id", id)
            write.set("name", name)
            write.set("timezone", timezone)
            write.set("contacts", contacts)
            return write.members
        }
    }

    /// `type Shift`: one stretch of a team's final schedule. `source` is layer, override, fallback or
    /// nobody; `layer` or `override` names which; `person` is nil in a gap.
    public struct Shift: VarlinkRecord {
        public var person: String?
        public var source: String
        public var layer: String?
        public var override: String?
        public var start: String
        public var end: String
        public init(
            person: String?, source: String, layer: String? = nil, override: String? = nil, start: String,
            end: String
        ) {
            self.person = person
            self.source = source
            self.layer = layer
            self.override = override
            self.start = start
            self.end = end
        }
        public static let fields: [VarlinkField] = [
            .init("person", "?string"), .init("source", "string"), .init("layer", "?string"),
            .init("override", "?string"), .init("start", "string"), .init("end", "string"),
        ]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                person: try read.optionalString("person"), source: try read.string("source"),
                layer: try read.optionalString("layer"), override: try read.optionalString("override"),
                start: try read.string("start"), end: try read.string("end"))
        }
        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("person", person)
            write.set("source", source)
            write.set("layer", layer)
            write.set("override", override)
            write.set("start", start)
            write.set("end", end)
            return write.members
        }
    }

    /// `type OnCall`: who is on call for a team at an instant, why, since and until when (nil when
    /// beyond the 90 days slad looks at), and the shift that follows.
    public struct OnCall: VarlinkRecord {
        public var team: String
        public var at: String
        public var person: Person?
        public var source: String
        public var layer: String?
        public var override: String?
        public var since: String?
        public var until: String?
        public var next: Shift?
        public init(
            team: String, at: String, person: Person?, source: String, layer: String? = nil,
            override: String? = nil, since: String? = nil, until: String? = nil, next: Shift? = nil
        ) {
            self.team = team
            self.at = at
            self.person = person
            self.source = source
            self.layer = layer
            self.override = override
            self.since = since
            self.until = until
            self.next = next
        }
        public static let fields: [VarlinkField] = [
            .init("team", "string"), .init("at", "string"), .init("person", "?Person"), .init("source", "string"),
            .init("layer", "?string"), .init("override", "?string"), .init("since", "?string"),
            .init("until", "?string"), .init("next", "?Shift"),
        ]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                team: try read.string("team"), at: try read.string("at"), person: try read.optionalRecord("person"),
                source: try read.string("source"), layer: try read.optionalString("layer"),
                override: try read.optionalString("override"), since: try read.optionalString("since"),
                until: try read.optionalString("until"), next: try read.optionalRecord("next"))
        }
        public var json: [String: JSONValue] {
            var write = FieldWriter()
            write.set("team", team)
            write.set("at", at)
            write.set("person", person)
            write.set("source", source)
            write.set("layer", layer)
            write.set("override", override)
            write.set("since", since)
            write.set("until", until)
            write.set("next", next)
            return write.members
        }
    }

    /// `type Override`: an override as the state keeps it, with the uid that added it.
    public struct Override: VarlinkRecord {
        public var id: String
        public var team: String
        public var person: String
        public var start: String
        public var end: String
        public var actor: Int
        public var created: String
        public init(
            id: String, team: String, person: String, start: String, end: String, actor: Int, created: String
        ) {
            self.id = id
            self.team = team
            self.person = person
            self.start = start
            self.end = end
            self.actor = actor
            self.created = created
        }
        public static let fields: [VarlinkField] = [
            .init("id", "string"), .init("team", "string"), .init("person", "string"), .init("start", "string"),
            .init("end", "string"), .init("actor", "int"), .init("created", "string"),
        ]
        public init(json: [String: JSONValue]) throws(ContractError) {
            let read = FieldReader(json)
            self.init(
                id: try read.string("id"), team: try read.string("team"), person: try read.string("person"),
                start: try read.string("start"), end: try read.string("end"), actor: try read.int("actor"),
                created: try read.string("created"))
        }
        public var json: [String: JSONValue] {
            [
                "id": .string(id), "team": .string(team), "person": .string(person), "start": .string(start),
                "end": .string(end), "actor": .int(Int64(actor)), "created": .string(created),
            ]
        }
    }

    /// `WhoIsOnCall(team: ?string, line: ?int, at: ?string) -> (oncall: OnCall)`: by team, or by the
    /// line whose team answers; `at` defaults to now.
    public enum WhoIsOnCall: VarlinkMethod {
        public static let name = "WhoIsOnCall"

        public struct Parameters: VarlinkRecord {
            public var team: String?
            public var line: Int?
            public var at: String?
            public init(team: String? = nil, line: Int? = nil, at: String? = nil) {
                self.team = team
                self.line = line
                self.at = at
            }
            public static let fields: [VarlinkField] = [
                .init("team", "?string"), .init("line", "?int"), .init("at", "?string"),
            ]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(
                    team: try read.optionalString("team"), line: try read.optionalInt("line"),
                    at: try read.optionalString("at"))
            }
            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("team", team)
                write.set("line", line)
                write.set("at", at)
                return write.members
            }
        }

        public struct Reply: VarlinkRecord {
            public var oncall: OnCall
            public init(oncall: OnCall) { self.oncall = oncall }
            public static let fields: [VarlinkField] = [.init("oncall", "OnCall")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(oncall: try FieldReader(json).record("oncall"))
            }
            public var json: [String: JSONValue] { ["oncall": oncall.value] }
        }
    }

    /// `ListShifts(team: string, from: string, until: string) -> (timezone: string, shifts: []Shift)`:
    /// at most 400 days.
    public enum ListShifts: VarlinkMethod {
        public static let name = "ListShifts"
        /// The longest span one call covers, in seconds.
        public static let longestSpan: Int64 = 400 * 86_400

        public struct Parameters: VarlinkRecord {
            public var team: String
            public var from: String
            public var until: String
            public init(team: String, from: String, until: String) {
                self.team = team
                self.from = from
                self.until = until
            }
            public static let fields: [VarlinkField] = [
                .init("team", "string"), .init("from", "string"), .init("until", "string"),
            ]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(team: try read.string("team"), from: try read.string("from"), until: try read.string("until"))
            }
            public var json: [String: JSONValue] {
                ["team": .string(team), "from": .string(from), "until": .string(until)]
            }
        }

        /// `timezone` is the team's zone, its handoffs' wall clock (for calendars made of the shifts).
        public struct Reply: VarlinkRecord {
            public var timezone: String
            public var shifts: [Shift]
            public init(timezone: String, shifts: [Shift]) {
                self.timezone = timezone
                self.shifts = shifts
            }
            public static let fields: [VarlinkField] = [.init("timezone", "string"), .init("shifts", "[]Shift")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(timezone: try read.string("timezone"), shifts: try read.records("shifts"))
            }
            public var json: [String: JSONValue] {
                ["timezone": .string(timezone), "shifts": .array(shifts.map(\.value))]
            }
        }
    }

    /// `AddOverride(team: string, person: string, start: string, end: string) -> (id: string)`.
    public enum AddOverride: VarlinkMethod {
        public static let name = "AddOverride"

        public struct Parameters: VarlinkRecord {
            public var team: String
            public var person: String
            public var start: String
            public var end: String
            public init(team: String, person: String, start: String, end: String) {
                self.team = team
                self.person = person
                self.start = start
                self.end = end
            }
            public static let fields: [VarlinkField] = [
                .init("team", "string"), .init("person", "string"), .init("start", "string"), .init("end", "string"),
            ]
            public init(json: [String: JSONValue]) throws(ContractError) {
                let read = FieldReader(json)
                self.init(
                    team: try read.string("team"), person: try read.string("person"), start: try read.string("start"),
                    end: try read.string("end"))
            }
            public var json: [String: JSONValue] {
                ["team": .string(team), "person": .string(person), "start": .string(start), "end": .string(end)]
            }
        }

        public struct Reply: VarlinkRecord {
            public var id: String
            public init(id: String) { self.id = id }
            public static let fields: [VarlinkField] = [.init("id", "string")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(id: try FieldReader(json).string("id"))
            }
            public var json: [String: JSONValue] { ["id": .string(id)] }
        }
    }

    /// `RemoveOverride(id: string) -> ()`.
    public enum RemoveOverride: VarlinkMethod {
        public static let name = "RemoveOverride"
        public typealias Reply = NoFields

        public struct Parameters: VarlinkRecord {
            public var id: String
            public init(id: String) { self.id = id }
            public static let fields: [VarlinkField] = [.init("id", "string")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(id: try FieldReader(json).string("id"))
            }
            public var json: [String: JSONValue] { ["id": .string(id)] }
        }
    }

    /// `ListOverrides(team: ?string) -> (overrides: []Override)`, oldest first.
    public enum ListOverrides: VarlinkMethod {
        public static let name = "ListOverrides"

        public struct Parameters: VarlinkRecord {
            public var team: String?
            public init(team: String? = nil) { self.team = team }
            public static let fields: [VarlinkField] = [.init("team", "?string")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(team: try FieldReader(json).optionalString("team"))
            }
            public var json: [String: JSONValue] {
                var write = FieldWriter()
                write.set("team", team)
                return write.members
            }
        }

        public struct Reply: VarlinkRecord {
            public var overrides: [Override]
            public init(overrides: [Override]) { self.overrides = overrides }
            public static let fields: [VarlinkField] = [.init("overrides", "[]Override")]
            public init(json: [String: JSONValue]) throws(ContractError) {
                self.init(overrides: try FieldReader(json).records("overrides"))
            }
            public var json: [String: JSONValue] { ["overrides": .array(overrides.map(\.value))] }
        }
    }

    /// `error UnknownTeam (team: string)`.
    public struct UnknownTeam: VarlinkErrorRecord {
        public static let name = "UnknownTeam"
        public var team: String
        public init(team: String) { self.team = team }
        public static let fields: [VarlinkField] = [.init("team", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            self.init(team: try FieldReader(json).string("team"))
        }
        public var json: [String: JSONValue] { ["team": .string(team)] }
    }

    /// `error NoTeam (line: int)`: the line has no on-call team configured.
    public struct NoTeam: VarlinkErrorRecord {
        public static let name = "NoTeam"
        public var line: Int
        public init(line: Int) { self.line = line }
        public static let fields: [VarlinkField] = [.init("line", "int")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            self.init(line: try FieldReader(json).int("line"))
        }
        public var json: [String: JSONValue] { ["line": .int(Int64(line))] }
    }

    /// `error InvalidOverride (reason: string)`: nothing was added.
    public struct InvalidOverride: VarlinkErrorRecord {
        public static let name = "InvalidOverride"
        public var reason: String
        public init(reason: String) { self.reason = reason }
        public static let fields: [VarlinkField] = [.init("reason", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            self.init(reason: try FieldReader(json).string("reason"))
        }
        public var json: [String: JSONValue] { ["reason": .string(reason)] }
    }

    /// `error UnknownOverride (id: string)`.
    public struct UnknownOverride: VarlinkErrorRecord {
        public static let name = "UnknownOverride"
        public var id: String
        public init(id: String) { self.id = id }
        public static let fields: [VarlinkField] = [.init("id", "string")]
        public init(json: [String: JSONValue]) throws(ContractError) {
            self.init(id: try FieldReader(json).string("id"))
        }
        public var json: [String: JSONValue] { ["id": .string(id)] }
    }
}
