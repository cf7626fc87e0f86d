/// How an event names a priority: directly, or through the impact x urgency matrix.
public enum PriorityChoice: Sendable, Equatable {
    case level(String)
    case matrix(impact: String, urgency: String)
}

/// What happens to a ticket.
public enum TicketChange: Sendable, Equatable {
    /// A new ticket; `service` and `customer` pick the SLA, `line` the line that holds it (default 1).
    case open(priority: PriorityChoice, service: String?, customer: String?, line: Int?)
    /// First response given: stops the response clock.
    case respond
    /// Hand the ticket to another line (functional escalation, or a hand-back).
    case assign(line: Int)
    /// Waiting, for `reason`: stops the clocks of agreements whose `pause_on` names it.
    case pause(reason: String)
    case resume
    case reprioritize(PriorityChoice)
    /// Service restored: stops the resolution and line clocks (and a response clock still running).
    case resolve
    /// Not restored after all: the resolution clock resumes with the time already counted.
    case reopen
    /// The ticket ends; slad forgets its clocks.
    case close

    /// The event's name in the replay format.
    public var name: String {
        switch self {
        case .open: return "open"
        case .respond: return "respond"
        case .assign: return "assign"
        case .pause: return "pause"
        case .resume: return "resume"
        case .reprioritize: return "reprioritize"
        case .resolve: return "resolve"
        case .reopen: return "reopen"
        case .close: return "close"
        }
    }
}

/// One change to one ticket.
public struct TicketEvent: Sendable, Equatable {
    public var ticket: String
    public var change: TicketChange

    public init(ticket: String, change: TicketChange) {
        self.ticket = ticket
        self.change = change
    }
}

/// Why the engine refused an event. A refused event changes nothing.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownTicket(String)
    case ticketAlreadyOpen(String)
    case unknownPriority(String, known: [String])
    case unknownImpactUrgency(impact: String, urgency: String)
    case noAgreement(service: String?, customer: String?)
    case invalidLine(Int)
    /// The event does not fit the ticket's state (resume while not paused, respond twice, ...).
    case invalidTransition(ticket: String, event: String, reason: String)

    public var description: String {
        switch self {
        case .unknownTicket(let id):
            return "ticket \(id) is not open"
        case .ticketAlreadyOpen(let id):
            return "ticket \(id) is already open"
        case .unknownPriority(let name, let known):
            return "unknown priority \"\(name)\"; the levels are \(known.joined(separator: ", "))"
        case .unknownImpactUrgency(let impact, let urgency):
            return "the priority matrix has no entry for impact \"\(impact)\" and urgency \"\(urgency)\""
        case .noAgreement(let service, let customer):
            return "no SLA matches service \(service.map { "\"\($0)\"" } ?? "(none)") and customer "
                + "\(customer.map { "\"\($0)\"" } ?? "(none)"), and there is no default SLA (one without match)"
        case .invalidLine(let line):
            return "line \(line) does not exist; lines are 1, 2, 3 and 4"
        case .invalidTransition(let ticket, let event, let reason):
            return "cannot \(event) ticket \(ticket): \(reason)"
        }
    }
}
