/// The `io.slad.Sla` Varlink interface: its name, its description, its names of errors; the records
/// of its types, methods and errors are in this module too (``Event``, ``Submit``, ``UnknownTicket``, ...).
///
/// The description is served through `org.varlink.service.GetInterfaceDescription`. The same text
/// ships as `Sources/SLAContract/io.slad.Sla.varlink`; tests keep the two equal, and the text in
/// agreement with ``methods``, ``types`` and ``errors``.
public enum SlaInterface {
    /// The interface name, also the socket's file name.
    public static let name = "io.slad.Sla"

    /// Fully qualified names of the errors slactl tells apart: io.slad.Sla's and the standard ones.
    public enum Errors {
        public static let unknownTicket = UnknownTicket.qualifiedName
        public static let invalidEvent = InvalidEvent.qualifiedName
        public static let invalidConfig = InvalidConfig.qualifiedName
        public static let unknownTeam = UnknownTeam.qualifiedName
        public static let noTeam = NoTeam.qualifiedName
        public static let invalidOverride = InvalidOverride.qualifiedName
        public static let unknownOverride = UnknownOverride.qualifiedName
        public static let permissionDenied = "org.varlink.service.PermissionDenied"
        public static let methodNotFound = "org.varlink.service.MethodNotFound"
        public static let interfaceNotFound = "org.varlink.service.InterfaceNotFound"
        public static let methodNotImplemented = "org.varlink.service.MethodNotImplemented"
        public static let invalidParameter = "org.varlink.service.InvalidParameter"
    }

    /// The interface description (the `.varlink` file's text, without its final newline).

    public static let description = """
        # slad: SLA and incident-escalation daemon. Ticket events in, clocks, breaches and escalations out.
        # Instants are RFC 3339 strings in UTC ("2026-03-02T08:00:00Z"); durations are service seconds.
        interface io.slad.Sla

        # A ticket event in the replay input format. "at" defaults to the moment slad receives it.
        type Event (
            at: ?string,
            ticket: string,
            event: string,
            priority: ?string,
            impact: ?string,
            urgency: ?string,
            service: ?string,
            customer: ?string,
            line: ?int,
            reason: ?string
        )

        # One clock of a ticket: state is running, paused, met, breached or stopped; calendar_hours says
        # when the calendar counts; counted, target and remaining are service seconds (remaining < 0 once past).
        type Clock (
            clock: string,
            line: ?int,
            agreement: string,
            calendar: string,
            calendar_hours: string,
            state: string,
            counted: int,
            target: ?int,
            remaining: ?int,
            due: ?string
        )

        # A ticket: state is open or resolved; its clocks, the events it received (at is the instant slad
        # applied each at) and its timeline (records in the replay output format, "late": true when fired late).
        type Ticket (
            ticket: string,
            state: string,
            priority: string,
            line: int,
            sla: string,
            agreements: []string,
            pause_reason: ?string,
            clocks: []Clock,
            events: []Event,
            timeline: []object
        )

        # One line of a ticket list; clock, due and remaining name the ticket's most urgent clock.
        type TicketSummary (
            ticket: string,
            state: string,
            priority: string,
            line: int,
            sla: string,
            breached: bool,
            clock: ?string,
            clock_line: ?int,
            agreement: ?string,
            due: ?string,
            remaining: ?int
        )

        # Which tickets to list. within is a duration such as "1h": at risk, due within it and not breached yet.
        # agreement matches the ticket's SLA or the agreement of the line that holds it.
        type Filter (
            breached: ?bool,
            within: ?string,
            line: ?int,
            agreement: ?string
        )

        # Applies the events in order, atomically: all are committed before the reply, or none is applied.
        method Submit(events: []Event) -> (accepted: int)

        # A ticket's state, clocks and history. A reply holds the newest 10,000 events and the newest 10,000
        # timeline records; truncated counts the older ones it left out (of the two, the larger count), and
        # skip leaves out that many of the newest of each: skip 10000 is the next older page.
        method GetTicket(ticket: string, skip: ?int) -> (ticket: Ticket, truncated: ?int)

        # Open tickets, most urgent first (breached first, then earliest due).
        method ListTickets(filter: ?Filter, limit: ?int) -> (tickets: []TicketSummary)

        # Every timeline record as it happens, in the replay output format; call with "more".
        method Watch() -> (record: object)

        # How late the timer emitted its recent records after their due instants (the last 10,000).
        type TimerLateness (
            samples: int,
            p50_ms: float,
            p99_ms: float,
            max_ms: float
        )

        # What became of the timeline records sent to the systemd journal since slad started: written,
        # dropped because journald fell behind (the backlog holds 10,000), refused by journald.
        type JournalCounts (
            written: int,
            dropped: int,
            failed: int
        )

        # The outbox: notifications pending and failed; channels that failed 20 times in a row (until one
        # succeeds), and channels disabled because their endpoint answered 410 Gone (until a reload).
        type NotificationCounts (
            pending: int,
            failed: int,
            failing_channels: []string,
            disabled_channels: []string
        )

        # The daemon's health: uptime in seconds, configuration, tickets, armed timers, breaches, and the
        # journal's counts when slad writes to the journal.
        # tzdata: the release of the time-zone rules the calendars run on (2026f), when known.
        method Status() -> (
            version: string,
            uptime: int,
            config: string,
            config_loaded: string,
            open_tickets: int,
            armed_timers: int,
            breaches: int,
            next_due: ?string,
            timer_lateness: ?TimerLateness,
            journal: ?JournalCounts,
            tzdata: ?string,
            notifications: ?NotificationCounts
        )

        # Reads the configuration file again and applies it to running clocks, or refuses it whole.
        method Reload() -> (summary: string)

        # Checks the configuration file without applying it.
        method CheckConfig() -> (summary: string)

        # Writes a consistent copy of the state to path, a new file in a folder the caller owns, while slad
        # runs; bytes is its size. Restore it as state.sqlite in an emptied state directory (README).
        method Backup(path: string) -> (path: string, bytes: int)

        # On call: a way to reach a person (channel is email, phone or chat), and a person.
        type Contact (
            channel: string,
            address: string
        )

        type Person (
            id: string,
            name: ?string,
            timezone: ?string,
            contacts: []Contact
        )

        # A stretch of a team's final schedule: source is layer, override, fallback or nobody (then person is
        # null); layer or override names which.
        type Shift (
            person: ?string,
            source: string,
            layer: ?string,
            override: ?string,
            start: string,
            end: string
        )

        # Who is on call for a team at an instant, why, since and until when (null beyond 90 days), and the
        # shift that follows. Who wins: the newest override covering the instant, else the last layer whose
        # active hours cover it, else the team's fallback, else nobody.
        type OnCall (
            team: string,
            at: string,
            person: ?Person,
            source: string,
            layer: ?string,
            override: ?string,
            since: ?string,
            until: ?string,
            next: ?Shift
        )

        # An override as the state keeps it: actor is the uid that added it.
        type Override (
            id: string,
            team: string,
            person: string,
            start: string,
            end: string,
            actor: int,
            created: string
        )

        # A notification in the outbox: state is pending, sent, failed, cancelled or acknowledged; purpose is
        # first, repeat, unacknowledged or reminder; the id is sent with every attempt; follows names the
        # notification whose channel failed, which this one, on the person's next channel, takes over from.
        type Notification (
            id: string,
            ticket: string,
            person: string,
            channel: string,
            purpose: string,
            round: int,
            state: string,
            due: string,
            attempts: int,
            last_error: ?string,
            done: ?string,
            late: bool,
            follows: ?string
        )

        # An acknowledgement: the person (from the caller's Unix user, people.NAME.user), the uid, the note,
        # and how many pending notifications it cancelled.
        type Acknowledgement (
            ticket: string,
            person: ?string,
            actor: int,
            note: ?string,
            at: string,
            cancelled: int
        )

        # Who is on call for a team, or for the team of a line; at defaults to now.
        method WhoIsOnCall(team: ?string, line: ?int, at: ?string) -> (oncall: OnCall)

        # A team's shifts over [from, until), at most 400 days, ordered, adjacent pieces of one person and source
        # merged; timezone is the team's (its handoffs' wall clock).
        method ListShifts(team: string, from: string, until: string) -> (timezone: string, shifts: []Shift)

        # Puts person on call for team over [start, end), over the schedule; committed before the reply.
        method AddOverride(team: string, person: string, start: string, end: string) -> (id: string)

        # Removes an override.
        method RemoveOverride(id: string) -> ()

        # The overrides, oldest first (a newer one wins where two overlap); team narrows them to one team.
        method ListOverrides(team: ?string) -> (overrides: []Override)

        # The service level report from the outcomes slad kept (README, "Service level reports"): since and
        # until are local days (YYYY-MM-DD; default the first and last outcome's periods), by is day, week
        # or month (default month), group names agreement, priority, customer, service, line; timezone is
        # the periods' zone (default slad's system zone); format is table, csv, json (default) or html, and
        # text is the report in it, byte for byte what `slad report` writes offline for the same events.
        method Report(
            since: ?string,
            until: ?string,
            by: ?string,
            group: ?[]string,
            timezone: ?string,
            format: ?string
        ) -> (format: string, text: string)

        # Acknowledges a ticket: in one transaction every pending repeat and unacknowledged escalation of its
        # notifications is cancelled (0 when nothing was pending: not an error), the sent ones are marked
        # acknowledged, and the acknowledgement is recorded. Writers may acknowledge, and a person's own Unix
        # user (people.NAME.user).
        method Acknowledge(ticket: string, note: ?string) -> (cancelled: int)

        # The outbox, newest first, of one ticket or all; state narrows it (pending, sent, failed, cancelled,
        # acknowledged); acknowledgements are listed with a ticket.
        method ListNotifications(ticket: ?string, state: ?string) -> (notifications: []Notification, acknowledgements: []Acknowledgement)

        # The ticket is not open; in Submit, index is the event that named it (from 0).
        error UnknownTicket (ticket: string, index: ?int)

        # Event number index of the batch (from 0) was refused; nothing of the batch was applied.
        error InvalidEvent (index: int, message: string)

        # The configuration file has errors, each "file:line:column: sentence".
        error InvalidConfig (errors: []string)

        # The state cannot be written (the disk is full): nothing of the batch was applied; try again later.
        error StorageUnavailable (reason: string)

        # No backup was written to path, for the reason given.
        error BackupFailed (path: string, reason: string)

        # No team of that name is configured.
        error UnknownTeam (team: string)

        # The line has no on-call team configured.
        error NoTeam (line: int)

        # The override was refused (unknown person, end not after start, ...); nothing was added.
        error InvalidOverride (reason: string)

        # No override has that id.
        error UnknownOverride (id: string)
        """
}

/// slad's version, the one both programs report: `slad --version`, `slactl --version` and `Status`.
public enum SladVersion {
    public static let string = "0.2.0"
}
