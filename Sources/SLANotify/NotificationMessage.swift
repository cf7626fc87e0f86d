import SLACore
import SLAJSON

/// Everything one attempt tells, gathered by the delivery worker from the outbox row, the
/// configuration and the log; the formats below turn it into a body.
public struct NotificationMessage: Sendable {
    public var id: String
    /// 1 for the first attempt on this channel.
    public var attempt: Int
    public var ticket: String
    public var priority: String?
    public var customer: String?
    public var service: String?
    /// The line holding the ticket, and its name.
    public var line: Int?
    public var lineName: String?
    public var person: String
    public var personName: String?
    /// The person's zone: times are written in it (UTC without one).
    public var zone: ZoneRules?
    public var contacts: [String: String]
    /// The record in the replay format.
    public var record: JSONValue
    public var late: Bool
    public var urgency: NotificationUrgency
    public var purpose: PlannedNotification.Purpose
    public var round: Int

    public init(
        id: String, attempt: Int, ticket: String, priority: String?, customer: String?, service: String?,
        line: Int?, lineName: String?, person: String, personName: String?, zone: ZoneRules?,
        contacts: [String: String], record: JSONValue, late: Bool, urgency: NotificationUrgency,
        purpose: PlannedNotification.Purpose, round: Int
    ) {
        self.id = id
        self.attempt = attempt
        self.ticket = ticket
        self.priority = priority
        self.customer = customer
        self.service = service
        self.line = line
        self.lineName = lineName
        self.person = person
        self.personName = personName
        self.zone = zone
        self.contacts = contacts
        self.record = record
        self.late = late
        self.urgency = urgency
        self.purpose = purpose
        self.round = round
    }

    /// `14:05 UTC+1`: the wall-clock time in the person's zone and its offset from UTC.
    public func localTime(_ instant: Instant) -> String {
        let offset = Int64(zone?.offset(utc: instant.secondsSince1970) ?? 0)
        let local = instant.secondsSince1970 + offset
        let minutes = ((local % 86_400) + 86_400) % 86_400 / 60
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var zoneText = "UTC"
        if offset != 0 {
            zoneText += offset > 0 ? "+" : "-"
            let magnitude = abs(offset)
            zoneText += "\(magnitude / 3600)"
            if magnitude % 3600 != 0 { zoneText += ":" + two(magnitude % 3600 / 60) }
        }
        return "\(two(minutes / 60)):\(two(minutes % 60)) \(zoneText)"
    }

    private var recordAt: Instant? { record["at"]?.string.flatMap(Timestamp.parse) }

    /// What happened, in a few words: `resolution breached`, `line 1 at 75%`, `escalated to line 2`.
    public var what: String {
        let clock: String = {
            switch record["clock"]?.string {
            case "line": return "line \(record["line"]?.int ?? 0)"
            case let name?: return name
            case nil: return "clock"
            }
        }()
        switch record["kind"]?.string {
        case "breach": return "\(clock) breached"
        case "warning": return "\(clock) at \(record["percent"]?.int ?? 0)%"
        case "escalate" where record["type"]?.string == "functional":
            return "escalated from line \(record["from"]?.int ?? 0) to line \(record["to"]?.int ?? 0)"
        case "escalate":
            return "\(clock) at \(record["percent"]?.int ?? 0)%, escalated to \(record["to"]?.string ?? "management")"
        case let other?: return other
        case nil: return "notice"
        }
    }

    /// The lock-screen line: the ticket, what happened and when (in the person's zone), who holds it,
    /// and how to acknowledge, most important first.
    ///
    /// `P1 INC-42 (acme, mail): resolution breached at 14:05 UTC+1; line 2 Incident Management holds it.
    /// Acknowledge: slactl ack INC-42`
    public var text: String {
        var out = "\(priority ?? "P?") \(ticket)"
        let about = [customer, service].compactMap { $0 }
        if !about.isEmpty { out += " (\(about.joined(separator: ", ")))" }
        out += ": \(what)"
        if let at = recordAt { out += " at \(localTime(at))" }
        if late { out += " (late: noticed after slad was down)" }
        if let line {
            out += "; line \(line)"
            if let lineName { out += " \(lineName)" }
            out += " holds it"
        }
        if purpose == .repeat { out += " (reminder \(round))" }
        if purpose == .unacknowledged { out += " (nobody acknowledged it)" }
        if purpose == .reminder { out += " (still unresolved after the acknowledgement)" }
        return out + ". Acknowledge: slactl ack \(ticket)"
    }

    /// A short title: `P1 INC-42: resolution breached`.
    public var title: String { "\(priority ?? "P?") \(ticket): \(what)" }

    /// The `json` format (and the exec channels' standard input): the record in the replay format, the
    /// ticket summary, the recipient, the id and the attempt.
    public var json: JSONValue {
        var ticketFields: [String: JSONValue] = ["id": .string(ticket)]
        if let priority { ticketFields["priority"] = .string(priority) }
        if let customer { ticketFields["customer"] = .string(customer) }
        if let service { ticketFields["service"] = .string(service) }
        if let line { ticketFields["line"] = .int(Int64(line)) }
        if let lineName { ticketFields["line_name"] = .string(lineName) }
        var recipient: [String: JSONValue] = ["person": .string(person)]
        if let personName { recipient["name"] = .string(personName) }
        if !contacts.isEmpty { recipient["contacts"] = .object(contacts.mapValues { .string($0) }) }
        return .object([
            "id": .string(id), "attempt": .int(Int64(attempt)), "text": .string(text), "record": record,
            "ticket": .object(ticketFields), "recipient": .object(recipient), "late": .bool(late),
            "urgency": .string(urgency.rawValue), "purpose": .string(purpose.rawValue),
        ])
    }

    /// A Slack- and Mattermost-compatible incoming-webhook body.
    public var slack: JSONValue { .object(["text": .string(text)]) }

    /// ntfy's headers: the title, priority 5 (urgent) or 3 (default), and a tag.
    public var ntfyHeaders: [(String, String)] {
        [
            ("Title", title), ("Priority", urgency == .high ? "5" : "3"),
            ("Tags", urgency == .high ? "rotating_light" : "warning"),
        ]
    }

    /// The body and extra headers of one webhook format.
    public func webhook(_ format: WebhookFormat) -> (body: [UInt8], headers: [(String, String)]) {
        switch format {
        case .json: return (json.encode(), [("Content-Type", "application/json")])
        case .slack: return (slack.encode(), [("Content-Type", "application/json")])
        case .ntfy: return (Array(text.utf8), [("Content-Type", "text/plain; charset=utf-8")] + ntfyHeaders)
        }
    }

    /// An RFC 5322 message for sendmail -t: To from the person's `email` contact, the id as Message-ID
    /// (the same on every attempt, so a mail system or a reader can drop duplicates).
    public func mail(from: String, date: Instant) -> [UInt8]? {
        guard let address = contacts["email"] else { return nil }
        func clean(_ text: String) -> String { String(text.map { $0 == "\r" || $0 == "\n" ? " " : $0 }) }
        let lines = [
            "From: \(clean(from))",
            "To: \(clean(address))",
            "Subject: \(clean(title))",
            "Message-ID: <\(id)@slad>",
            "Date: \(Self.rfc5322Date(date))",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "X-Slad-Ticket: \(clean(ticket))",
            "",
            text,
            "",
        ]
        return Array(lines.joined(separator: "\r\n").utf8)
    }

    /// `Mon, 07 Dec 2026 14:05:00 +0000`.
    static func rfc5322Date(_ instant: Instant) -> String {
        let seconds = instant.secondsSince1970
        let days = CivilDate.floorDiv(seconds, 86_400)
        let date = CivilDate.date(days: days)
        let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][Int(((days % 7) + 7) % 7)]
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][
            Int(date.month) - 1]
        let time = seconds - days * 86_400
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekday), \(two(date.day)) \(month) \(date.year) "
            + "\(two(time / 3600)):\(two(time % 3600 / 60)):\(two(time % 60)) +0000"
    }

    /// An exec channel's argv with `{contacts.phone}`, `{person}`, `{ticket}`, `{id}`, `{priority}`,
    /// `{text}` and `{title}` filled; an unknown placeholder stays as written.
    public func arguments(_ template: [String]) -> [String] {
        var values = [
            "person": person, "ticket": ticket, "id": id, "priority": priority ?? "", "text": text, "title": title,
            "urgency": urgency.rawValue,
        ]
        for (channel, address) in contacts { values["contacts.\(channel)"] = address }
        return template.map { argument in
            var out = argument
            for (key, value) in values { out = out.replacingAll("{\(key)}", with: value) }
            return out
        }
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
