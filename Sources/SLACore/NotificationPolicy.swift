/// How slad reaches people (issue 11): the channels, the routes that pick who is told of a record,
/// and each person's channels by urgency. Plain values: the delivery adapters read the channel
/// settings, the core only routes.
public struct NotificationPolicy: Sendable, Equatable {
    /// Channels by name, in configuration order.
    public var channels: [NotificationChannel]
    /// First matching route wins; a record no route matches notifies nobody.
    public var routes: [NotificationRoute]
    /// Everyone who can be reached, by person id.
    public var recipients: [String: NotificationRecipient]

    public init(
        channels: [NotificationChannel] = [], routes: [NotificationRoute] = [],
        recipients: [String: NotificationRecipient] = [:]
    ) {
        self.channels = channels
        self.routes = routes
        self.recipients = recipients
    }

    /// The channel with this name.
    public func channel(named name: String) -> NotificationChannel? {
        channels.first { $0.name == name }
    }

    /// The person id whose `user` is this Unix user name, if any.
    public func person(forUser user: String) -> String? {
        recipients.values.filter { $0.user == user }.map(\.person).sorted().first
    }

    /// True when no route exists: nothing is ever planned, and the engine's records pass untouched.
    public var isEmpty: Bool { routes.isEmpty }
}

/// The urgency a route gives its notifications; it picks the person's channel list.
public enum NotificationUrgency: String, Sendable, CaseIterable, Hashable {
    case high
    case low
}

/// One way of reaching people.
public struct NotificationChannel: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// RFC 5322 message on the standard input of a sendmail(8)-compatible program.
        case email(sendmail: [String], from: String)
        /// An HTTP POST; `secretFile` holds the Standard Webhooks secret (`whsec_...`).
        case webhook(url: String, format: WebhookFormat, secretFile: String?)
        /// A program run with `{...}` placeholders filled in its arguments, the JSON payload on stdin.
        case exec(command: [String])
    }

    public var name: String
    public var kind: Kind
    /// Seconds one attempt may take (default 10).
    public var timeout: Int64
    /// Seconds from the first attempt after which a notification that still fails is given up.
    public var giveUpAfter: Int64
    /// Attempts on this channel at once: a slow endpoint holds at most this many.
    public var concurrency: Int
    /// Where the channel is defined (`file:line:column`), for errors found only when slad starts (a
    /// `secret_file` it cannot read).
    public var origin: String = ""

    public static let defaultTimeout: Int64 = 10
    public static let defaultGiveUpAfter: Int64 = 86_400
    public static let defaultConcurrency = 4

    public init(
        name: String, kind: Kind, timeout: Int64 = defaultTimeout, giveUpAfter: Int64 = defaultGiveUpAfter,
        concurrency: Int = defaultConcurrency
    ) {
        self.name = name
        self.kind = kind
        self.timeout = timeout
        self.giveUpAfter = giveUpAfter
        self.concurrency = concurrency
    }

    /// `email`, `webhook` or `exec`.
    public var typeName: String {
        switch kind {
        case .email: return "email"
        case .webhook: return "webhook"
        case .exec: return "exec"
        }
    }
}

/// The body a webhook channel sends.
public enum WebhookFormat: String, Sendable, CaseIterable {
    /// The record in the replay format, the ticket summary, the recipient, the id, the attempt.
    case json
    /// A Slack- and Mattermost-compatible incoming-webhook body.
    case slack
    /// Plain text with ntfy's Title, Priority and Tags headers.
    case ntfy
}

/// A person as notifications see her: the Unix user whose acknowledgements are hers, and her channels.
public struct NotificationRecipient: Sendable, Equatable {
    public var person: String
    public var user: String?
    /// Channel names by urgency, tried in order.
    public var channels: [NotificationUrgency: [String]]

    public init(person: String, user: String? = nil, channels: [NotificationUrgency: [String]] = [:]) {
        self.person = person
        self.user = user
        self.channels = channels
    }

    /// The channels for `urgency`; a person with none for it is reached on her others, since being told
    /// on the wrong channel beats not being told.
    public func channels(for urgency: NotificationUrgency) -> [String] {
        if let list = channels[urgency], !list.isEmpty { return list }
        return NotificationUrgency.allCases.compactMap { channels[$0] }.first { !$0.isEmpty } ?? []
    }
}

/// Record kinds that can notify.
public enum NotifyingKind: String, Sendable, CaseIterable {
    case warning
    case breach
    case escalate
}

/// Which records a route takes; a missing list accepts any value.
public struct NotificationMatch: Sendable, Equatable {
    public var kinds: [NotifyingKind]?
    public var clocks: [ClockKind]?
    public var lines: [Int]?
    public var priorities: [String]?
    public var agreements: [String]?
    public var customers: [String]?
    public var services: [String]?
    public var late: Bool?

    public init(
        kinds: [NotifyingKind]? = nil, clocks: [ClockKind]? = nil, lines: [Int]? = nil, priorities: [String]? = nil,
        agreements: [String]? = nil, customers: [String]? = nil, services: [String]? = nil, late: Bool? = nil
    ) {
        self.kinds = kinds
        self.clocks = clocks
        self.lines = lines
        self.priorities = priorities
        self.agreements = agreements
        self.customers = customers
        self.services = services
        self.late = late
    }

    /// True when the route needs the ticket's service or customer, which the engine does not keep.
    public var needsServiceOrCustomer: Bool { customers != nil || services != nil }
}

/// A route: which records, whom to tell, how urgently, and how often until acknowledged.
public struct NotificationRoute: Sendable, Equatable {
    public var match: NotificationMatch
    /// `holder`, team names and person ids.
    public var notify: [String]
    public var urgency: NotificationUrgency
    /// Seconds between repeats; nil: sent once.
    public var repeatEvery: Int64?
    /// Repeats after the first send (0 without `repeat`).
    public var repeatTimes: Int
    /// Teams, people or `holder`, told when the repeats are used up and nobody acknowledged.
    public var unacknowledged: [String]
    /// Seconds after an acknowledgement at which the ticket, still unresolved, notifies again.
    public var acknowledgedFor: Int64?

    /// The target that names whoever the record concerns (see ``NotificationPolicy/plan``).
    public static let holder = "holder"

    public init(
        match: NotificationMatch, notify: [String], urgency: NotificationUrgency = .high,
        repeatEvery: Int64? = nil, repeatTimes: Int = 0, unacknowledged: [String] = [],
        acknowledgedFor: Int64? = nil
    ) {
        self.match = match
        self.notify = notify
        self.urgency = urgency
        self.repeatEvery = repeatEvery
        self.repeatTimes = repeatTimes
        self.unacknowledged = unacknowledged
        self.acknowledgedFor = acknowledgedFor
    }
}
