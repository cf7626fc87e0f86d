/// One ticket event in the interface's `Event` shape (the replay input format).
public struct ControlEvent: Equatable, Sendable {
    /// The event names the engine knows.
    public enum Kind: String, CaseIterable, Sendable {
        case open, respond, assign, pause, resume, reprioritize, resolve, reopen, close
    }

    public var ticket: String
    public var kind: Kind
    /// RFC 3339; nil lets slad use the moment it receives the event.
    public var at: String?
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
        self.ticket = ticket
        self.kind = kind
        self.at = at
        self.priority = priority
        self.impact = impact
        self.urgency = urgency
        self.service = service
        self.customer = customer
        self.line = line
        self.reason = reason
    }

    /// The `Event` object, without its nil fields.
    public var object: [String: Any] {
        var object: [String: Any] = ["ticket": ticket, "event": kind.rawValue]
        let strings: [(String, String?)] = [
            ("at", at), ("priority", priority), ("impact", impact), ("urgency", urgency),
            ("service", service), ("customer", customer), ("reason", reason),
        ]
        for (key, value) in strings { if let value { object[key] = value } }
        if let line { object["line"] = line }
        return object
    }

    /// What happened, for people: "INC-1 opened (P2)", "INC-1 assigned to line 2".
    public var summary: String {
        let priorityChoice =
            priority
            ?? [impact.map { "impact \($0)" }, urgency.map { "urgency \($0)" }]
            .compactMap { $0 }.joined(separator: ", ")
        let when = at.map { " at \($0)" } ?? ""
        switch kind {
        case .open:
            let line = self.line.map { ", line \($0)" } ?? ""
            return "\(ticket) opened (\(priorityChoice)\(line))\(when)"
        case .respond: return "\(ticket): response recorded\(when)"
        case .assign: return "\(ticket) assigned to line \(line.map(String.init) ?? "?")\(when)"
        case .pause: return "\(ticket) paused (\(reason ?? "?"))\(when)"
        case .resume: return "\(ticket) resumed\(when)"
        case .reprioritize: return "\(ticket) reprioritized (\(priorityChoice))\(when)"
        case .resolve: return "\(ticket) resolved\(when)"
        case .reopen: return "\(ticket) reopened\(when)"
        case .close: return "\(ticket) closed\(when)"
        }
    }
}
