import SLAContract

/// One ticket event as slactl builds it: the interface's `Event`.
public typealias ControlEvent = SlaInterface.Event

extension SlaInterface.Event {
    /// What happened, for people: "INC-1 opened (P2)", "INC-1 assigned to line 2"; fields escaped
    /// for the terminal (``TerminalText``).
    public var summary: String {
        let show = TerminalText.escaped
        let priorityChoice =
            priority.map(show)
            ?? [impact.map { "impact \(show($0))" }, urgency.map { "urgency \(show($0))" }]
            .compactMap { $0 }.joined(separator: ", ")
        let when = at.map { " at \(show($0))" } ?? ""
        let ticket = show(self.ticket)
        switch kind {
        case .open:
            let line = self.line.map { ", line \($0)" } ?? ""
            return "\(ticket) opened (\(priorityChoice)\(line))\(when)"
        case .respond: return "\(ticket): response recorded\(when)"
        case .assign: return "\(ticket) assigned to line \(line.map(String.init) ?? "?")\(when)"
        case .pause: return "\(ticket) paused (\(reason.map(show) ?? "?"))\(when)"
        case .resume: return "\(ticket) resumed\(when)"
        case .reprioritize: return "\(ticket) reprioritized (\(priorityChoice))\(when)"
        case .resolve: return "\(ticket) resolved\(when)"
        case .reopen: return "\(ticket) reopened\(when)"
        case .close: return "\(ticket) closed\(when)"
        case nil: return "\(ticket): \(show(event))\(when)"
        }
    }
}
