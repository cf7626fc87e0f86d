import Foundation
import SLAContract

/// The on-call replies as text for people, instants in the viewer's zone (shown in each instant).
public enum OnCallText {
    /// `alice (Alice Adams) is on call for desk, layer business-hours, since ... until ...; next: bob ...`
    public static func who(_ oncall: SlaInterface.OnCall, format: InstantFormat) -> String {
        var lines: [String] = []
        let why = reason(source: oncall.source, layer: oncall.layer, override: oncall.override)
        if let person = oncall.person {
            let name = person.name.map { " (\($0))" } ?? ""
            lines.append("\(person.id)\(name) is on call for \(oncall.team) at \(format.format(oncall.at)), \(why)")
            for contact in person.contacts { lines.append("  \(contact.channel): \(contact.address)") }
        } else {
            lines.append("nobody is on call for \(oncall.team) at \(format.format(oncall.at))")
        }
        lines.append("  since \(oncall.since.map(format.format) ?? "more than 90 days before")")
        lines.append("  until \(oncall.until.map(format.format) ?? "more than 90 days after")")
        if let next = oncall.next {
            let nextWhy = reason(source: next.source, layer: next.layer, override: next.override)
            lines.append("  next: \(next.person ?? "nobody") from \(format.format(next.start)), \(nextWhy)")
        }
        return lines.joined(separator: "\n")
    }

    /// One line of `slactl show`: who answers for the line that holds the ticket.
    public static func holder(_ oncall: SlaInterface.OnCall, format: InstantFormat) -> String {
        let why = reason(source: oncall.source, layer: oncall.layer, override: oncall.override)
        guard let person = oncall.person else { return "on call     nobody for \(oncall.team) (\(why))" }
        let contact = person.contacts.first.map { ", \($0.channel) \($0.address)" } ?? ""
        let until = oncall.until.map { " until \(format.format($0))" } ?? ""
        let name = person.name.map { " (\($0))" } ?? ""
        return "on call     \(person.id)\(name) for \(oncall.team), \(why)\(until)\(contact)"
    }

    public static func shifts(_ shifts: [SlaInterface.Shift], format: InstantFormat) -> String {
        var table = TextTable([.init("START"), .init("END"), .init("PERSON"), .init("WHY")])
        for shift in shifts {
            table.append([
                format.format(shift.start), format.format(shift.end), shift.person ?? "-",
                reason(source: shift.source, layer: shift.layer, override: shift.override),
            ])
        }
        return "times in \(format.timeZone.identifier)\n" + table.render()
    }

    public static func overrides(_ overrides: [SlaInterface.Override], format: InstantFormat) -> String {
        guard !overrides.isEmpty else { return "no overrides" }
        var table = TextTable([
            .init("ID"), .init("TEAM"), .init("PERSON"), .init("START"), .init("END"), .init("BY UID", .right),
        ])
        for o in overrides {
            table.append([o.id, o.team, o.person, format.format(o.start), format.format(o.end), "\(o.actor)"])
        }
        return table.render()
    }

    static func reason(source: String, layer: String?, override: String?) -> String {
        switch source {
        case "layer": return "layer \(layer ?? "?")"
        case "override": return "override \(override ?? "?")"
        case "fallback": return "the team's fallback"
        default: return "nobody on call (a gap)"
        }
    }
}
