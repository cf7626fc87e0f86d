import SLAContract
import SLACore
import SLAJSON
import SLAStore
import SLAVarlink

/// The on-call methods of io.slad.Sla: computed off the engine's queue on a view of it.
extension ControlService {
    /// How far around the instant `WhoIsOnCall` looks for the shift's bounds and the next shift.
    static let onCallHorizon: Int64 = 90 * 86_400

    private static func parameters<P: VarlinkRecord>(_ type: P.Type, _ json: [String: JSONValue]) throws -> P {
        do {
            return try P(json: json)
        } catch {
            throw VarlinkError.invalidParameter(error.field)
        }
    }

    private static func instant(_ text: String, _ field: String) throws -> Instant {
        guard let instant = Timestamp.parse(text) else { throw VarlinkError.invalidParameter(field) }
        return instant
    }

    private static func team(_ name: String, in view: OnCallView) throws -> OnCallTeam {
        guard let team = view.teams.first(where: { $0.name == name }) else {
            throw VarlinkError(SlaInterface.UnknownTeam(team: name))
        }
        return team
    }

    /// A shift on the wire.
    static func shift(_ shift: OnCallShift) -> SlaInterface.Shift {
        var wire = SlaInterface.Shift(
            person: shift.person, source: "nobody", start: Timestamp.format(shift.start),
            end: Timestamp.format(shift.end))
        switch shift.source {
        case .layer(let name):
            wire.source = "layer"
            wire.layer = name
        case .override(let id):
            wire.source = "override"
            wire.override = id
        case .fallback: wire.source = "fallback"
        case .nobody: break
        }
        return wire
    }

    static func person(_ person: OnCallPerson) -> SlaInterface.Person {
        SlaInterface.Person(
            id: person.id, name: person.displayName, timezone: person.zone?.name,
            contacts: person.contacts.map { SlaInterface.Contact(channel: $0.channel, address: $0.address) })
    }

    /// Who is on call for `team` at `at`, with the bounds of the shift and the shift after it.
    static func onCall(team: OnCallTeam, at: Instant, view: OnCallView) -> SlaInterface.OnCall {
        let schedule = view.schedule(of: team)
        let from = at - onCallHorizon
        let until = at + onCallHorizon
        let shifts = schedule.shifts(from: from, until: until)
        let index = shifts.firstIndex { $0.start <= at && at < $0.end } ?? 0
        let current = shifts[index]
        let wire = shift(current)
        let person = current.person.flatMap { id in view.people.first { $0.id == id } }.map(Self.person)
        return SlaInterface.OnCall(
            team: team.name, at: Timestamp.format(at),
            person: person ?? current.person.map { SlaInterface.Person(id: $0) }, source: wire.source,
            layer: wire.layer, override: wire.override,
            since: current.start == from ? nil : Timestamp.format(current.start),
            until: current.end == until ? nil : Timestamp.format(current.end),
            next: index + 1 < shifts.count ? Self.shift(shifts[index + 1]) : nil)
    }

    func whoIsOnCall(_ json: [String: JSONValue]) async throws -> SlaInterface.WhoIsOnCall.Reply {
        let request = try Self.parameters(SlaInterface.WhoIsOnCall.Parameters.self, json)
        let view = await host.onCall()
        let name: String
        if let team = request.team {
            name = team
        } else if let line = request.line {
            guard (1...4).contains(line), line <= view.lines.count else { throw VarlinkError.invalidParameter("line") }
            guard let team = view.lines[line - 1].team else { throw VarlinkError(SlaInterface.NoTeam(line: line)) }
            name = team
        } else {
            throw VarlinkError.invalidParameter("team")
        }
        let at = try request.at.map { try Self.instant($0, "at") } ?? view.now
        let team = try Self.team(name, in: view)
        return SlaInterface.WhoIsOnCall.Reply(oncall: Self.onCall(team: team, at: at, view: view))
    }

    func listShifts(_ json: [String: JSONValue]) async throws -> SlaInterface.ListShifts.Reply {
        let request = try Self.parameters(SlaInterface.ListShifts.Parameters.self, json)
        let from = try Self.instant(request.from, "from")
        let until = try Self.instant(request.until, "until")
        guard until > from, until - from <= SlaInterface.ListShifts.longestSpan else {
            throw VarlinkError.invalidParameter("until")
        }
        let view = await host.onCall()
        let team = try Self.team(request.team, in: view)
        return SlaInterface.ListShifts.Reply(
            timezone: team.zone.name,
            shifts: view.schedule(of: team).shifts(from: from, until: until).map(Self.shift))
    }

    func addOverride(_ json: [String: JSONValue], actor: UInt32) async throws -> SlaInterface.AddOverride.Reply {
        let request = try Self.parameters(SlaInterface.AddOverride.Parameters.self, json)
        let start = try Self.instant(request.start, "start")
        let end = try Self.instant(request.end, "end")
        switch await host.addOverride(team: request.team, person: request.person, start: start, end: end, actor: actor)
        {
        case .success(let stored): return SlaInterface.AddOverride.Reply(id: stored.override.id)
        case .failure(let refusal): throw Self.error(refusal)
        }
    }

    func removeOverride(_ json: [String: JSONValue], actor: UInt32) async throws -> NoFields {
        let request = try Self.parameters(SlaInterface.RemoveOverride.Parameters.self, json)
        switch await host.removeOverride(id: request.id, actor: actor) {
        case .success: return NoFields()
        case .failure(let refusal): throw Self.error(refusal)
        }
    }

    func listOverrides(_ json: [String: JSONValue]) async throws -> SlaInterface.ListOverrides.Reply {
        let request = try Self.parameters(SlaInterface.ListOverrides.Parameters.self, json)
        let view = await host.onCall()
        if let team = request.team { _ = try Self.team(team, in: view) }
        let overrides = view.overrides.filter { request.team == nil || $0.override.team == request.team }
        return SlaInterface.ListOverrides.Reply(
            overrides: overrides.map { stored in
                let o = stored.override
                return SlaInterface.Override(
                    id: o.id, team: o.team, person: o.person, start: Timestamp.format(o.start),
                    end: Timestamp.format(o.end), actor: Int(stored.actor), created: Timestamp.format(stored.created))
            })
    }

    private static func error(_ refusal: OverrideRefusal) -> VarlinkError {
        switch refusal {
        case .unknownTeam(let team): return VarlinkError(SlaInterface.UnknownTeam(team: team))
        case .unknownOverride(let id): return VarlinkError(SlaInterface.UnknownOverride(id: id))
        case .invalid(let reason): return VarlinkError(SlaInterface.InvalidOverride(reason: reason))
        case .storage(let reason): return VarlinkError(SlaInterface.StorageUnavailable(reason: reason))
        }
    }
}
