import Foundation
import Logging
import SLAConfig
import SLACore
import SLADaemon
import SLAJSON
import SLAStore
import SLATestKit
import SLAVarlink
import SLAWire
import Testing

/// The package's root folder, found from this file's path.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

let exampleConfig = packageRoot + "/config/slad.yaml"

/// A fresh temporary folder for one test's state and files.
func temporaryDirectory() throws -> String {
    try makeTemporaryDirectory(prefix: "slad-host")
}

/// Monday 2026-03-02 09:00:00 Europe/Berlin (08:00:00Z).
let monday = Timestamp.parse("2026-03-02T08:00:00Z")!

func event(_ ticket: String, _ change: TicketChange, at: Instant? = nil) -> TimedEvent {
    TimedEvent(at: at, event: TicketEvent(ticket: ticket, change: change))
}

let goldP1 = TicketChange.open(priority: .level("P1"), service: "mail", customer: "acme", line: nil)

/// One daemon's engine on a state folder, with a clock the test moves.
struct HostFixture {
    let directory: String
    let configPath: String
    let clock: ManualClock

    /// The state folder: `stateDirectory`, else one in the fixture's folder.
    let stateDirectory: String
    /// How the host holds commits on a full disk.
    var fullDisk = GroupCommitter.FullDisk()
    /// The feed every host of the fixture publishes to.
    let feed = RecordFeed()
    /// Where the configuration's zones are read.
    var zones = ZoneDatabase.system()

    init(configText: String? = nil, start: Instant = monday, stateDirectory: String? = nil) throws {
        directory = try temporaryDirectory()
        self.stateDirectory = stateDirectory ?? directory + "/state"
        configPath = directory + "/slad.yaml"
        let text = try configText ?? String(contentsOfFile: exampleConfig, encoding: .utf8)
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
        clock = ManualClock(start)
    }

    func open() throws -> EngineHost {
        try EngineHost(
            configPath: configPath, stateDirectory: stateDirectory, zones: zones, clock: clock, feed: feed,
            fullDisk: fullDisk, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    /// The ticket's stored timeline, as JSON texts.
    func timeline(_ host: EngineHost, _ ticket: String) throws -> [String] {
        host.drain()
        return try host.store.timeline(ticket: ticket, limit: nil)
    }
}

@Suite("The engine host: durable steps, recovery, late firing, reload")
struct EngineHostTests {
    @Test("accepted events survive a restart: the recovered tickets are the same")
    func recovery() async throws {
        let fixture = try HostFixture()
        var host = try fixture.open()
        #expect(await host.submit([event("INC-1", goldP1), event("INC-2", goldP1)], actor: 0) == .accepted(2))
        fixture.clock.advance(seconds: 120)
        #expect(await host.submit([event("INC-1", .respond), event("INC-2", .pause(reason: "waiting-customer"))], actor: 0)
            == .accepted(2))
        let before = [await host.ticket("INC-1"), await host.ticket("INC-2")]
        host.stop()
        host = try fixture.open()
        #expect([await host.ticket("INC-1"), await host.ticket("INC-2")] == before)
        #expect(await host.status().openTickets == 2)
    }

    @Test("what fell due while slad was down fires once at start, in due order, marked late")
    func lateFiring() async throws {
        let fixture = try HostFixture()
        var host = try fixture.open()
        _ = await host.submit([event("INC-1", goldP1)], actor: 0)
        host.stop()
        fixture.clock.advance(seconds: 20 * 60)
        host = try fixture.open()
        let timeline = try fixture.timeline(host, "INC-1")
        let late = timeline.filter { $0.contains("\"late\":true") }
        // Gold P1 response 15m: warnings at 50, 75 and 90 % and the breach; the desk OLA (office
        // hours, 15m) breaches at 09:15 and escalates the ticket to line 2.
        #expect(late.contains { $0.contains("\"kind\":\"breach\",\"clock\":\"response\"") })
        #expect(late.contains { $0.contains("\"kind\":\"escalate\",\"type\":\"functional\",\"from\":1,\"to\":2") })
        let instants = late.map { String($0.dropFirst(7).prefix(20)) }
        #expect(instants == instants.sorted())
        host.stop()
        host = try fixture.open()
        #expect(try fixture.timeline(host, "INC-1") == timeline)
    }

    @Test("deadlines the timer fired are not fired again after a restart")
    func timerFiringIsDurable() async throws {
        let fixture = try HostFixture()
        var host = try fixture.open()
        _ = await host.submit([event("INC-1", goldP1)], actor: 0)
        fixture.clock.advance(seconds: 16 * 60)
        host.fireDueNow()
        let fired = try fixture.timeline(host, "INC-1")
        #expect(fired.contains { $0.contains("\"kind\":\"breach\",\"clock\":\"response\"") })
        #expect(!fired.contains { $0.contains("\"late\":true") })
        host.stop()
        host = try fixture.open()
        #expect(try fixture.timeline(host, "INC-1") == fired)
    }

    @Test("the daemon emits the very records the offline replay does for the same events")
    func sameAsReplay() async throws {
        let fixture = try HostFixture()
        let input = try Data(contentsOf: URL(fileURLWithPath: packageRoot + "/config/examples/incident.jsonl"))
        let until = Timestamp.parse("2026-03-10T18:00:00Z")!
        let configuration = try ConfigFixture.load(exampleConfig)
        var replayed: [String] = []
        _ = Replay(configuration: configuration).run(input: input, until: until) { replayed.append(RecordFormat.encode($0)) }

        let lines = String(decoding: input, as: UTF8.self).split(separator: "\n")
        let events = lines.map { line -> TimedEvent in
            guard case .success(let event) = EventFormat.decode(line: Data(line.utf8)) else { fatalError("bad example") }
            return event
        }
        fixture.clock.set(events[0].at! - 1)
        // No start(): its timer runs on real time, and this test moves the clock by hand.
        let host = try fixture.open()
        for event in events {
            // Deadlines before the event fire first, then the event at its own instant, as the replay does.
            fixture.clock.set(event.at! - 1)
            host.fireDueNow()
            fixture.clock.set(event.at!)
            #expect(await host.submit([event], actor: 0) == .accepted(1))
        }
        fixture.clock.set(until)
        host.fireDueNow()
        for ticket in ["INC-1001", "REQ-2001"] {
            let expected = replayed.filter { $0.contains("\"ticket\":\"\(ticket)\"") }
            let stored = try fixture.timeline(host, ticket)
            #expect(stored == expected, "\(stored.count) vs \(expected.count)\n\(stored.joined(separator: "\n"))\n---\n\(expected.joined(separator: "\n"))")
        }
        host.stop()
    }

    @Test("a batch is all or nothing; a refused one leaves no event in the state")
    func batches() async throws {
        let fixture = try HostFixture()
        var host = try fixture.open()
        let outcome = await host.submit([event("INC-1", goldP1), event("INC-9", .respond)], actor: 0)
        #expect(outcome == .refused(index: 1, error: .unknownTicket("INC-9")))
        #expect(await host.ticket("INC-1") == nil)
        host.stop()
        host = try fixture.open()
        #expect(await host.status().openTickets == 0)
        #expect(try host.store.counts().events == 0)
    }

    @Test("an event from the future is refused; one from before the engine's last step is applied at that step")
    func instants() async throws {
        let fixture = try HostFixture()
        let host = try fixture.open()
        let ahead = await host.submit([event("INC-1", goldP1, at: monday + 60)], actor: 0)
        guard case .invalid(0, let message) = ahead else {
            Issue.record("expected invalid, got \(ahead)")
            return
        }
        #expect(message.contains("ahead of slad's clock"))
        #expect(await host.submit([event("INC-1", goldP1, at: monday + EngineHost.futureTolerance)], actor: 0)
            == .accepted(1))
        #expect(await host.submit([event("INC-2", goldP1, at: monday - 3600)], actor: 0) == .accepted(1))
        host.drain()
        let stored = try host.store.events(ticket: "INC-2", limit: nil)
        #expect(stored.first?.at == monday)
        #expect(stored.first?.requestedAt == monday - 3600)
    }

    @Test("reload: a valid file applies to running clocks, a bad one is refused whole with its errors")
    func reload() async throws {
        let fixture = try HostFixture()
        var host = try fixture.open()
        _ = await host.submit([event("INC-1", goldP1)], actor: 0)
        let original = try String(contentsOfFile: fixture.configPath, encoding: .utf8)
        guard case .unchanged = await host.reload() else {
            Issue.record("an unchanged file should say so")
            return
        }
        try original.replacingOccurrences(of: "P1: {response: 15m, resolution: 4h}", with: "P1: {response: 15m, resolution: 6h}")
            .write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        fixture.clock.advance(seconds: 60)
        guard case .applied = await host.reload() else {
            Issue.record("a valid file should apply")
            return
        }
        let resolutionDue = await host.ticket("INC-1")?.snapshot.clocks[1].due
        #expect(resolutionDue == monday + 6 * 3600)

        try (original + "\nbogus: [").write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        guard case .refused(let errors) = await host.reload() else {
            Issue.record("a broken file should be refused")
            return
        }
        #expect(errors.allSatisfy { $0.hasPrefix(fixture.configPath + ":") })
        #expect(await host.ticket("INC-1")?.snapshot.clocks[1].due == monday + 6 * 3600)

        // The reload is in the log: a restart on the (now broken) file refuses to start, and on the
        // good file recovers the 6h target.
        host.stop()
        #expect(throws: (any Error).self) { try fixture.open() }
        try original.replacingOccurrences(of: "P1: {response: 15m, resolution: 4h}", with: "P1: {response: 15m, resolution: 6h}")
            .write(toFile: fixture.configPath, atomically: true, encoding: .utf8)
        host = try fixture.open()
        #expect(await host.ticket("INC-1")?.snapshot.clocks[1].due == monday + 6 * 3600)
    }
}

/// Loads a configuration file for comparisons.
enum ConfigFixture {
    static func load(_ path: String) throws -> Configuration {
        try ConfigLoader.load(path: path).get()
    }
}

@Suite("The engine host's clock and its interface")
struct HostClockTests {
    @Test("a wall clock set back fires nothing early; set forward again, what is due fires once")
    func clockSetBack() async throws {
        let fixture = try HostFixture()
        let host = try fixture.open()
        _ = await host.submit([event("INC-1", goldP1)], actor: 0)
        fixture.clock.advance(seconds: 5 * 60)
        host.fireDueNow()
        let before = try fixture.timeline(host, "INC-1")
        // Back by an hour: nothing is due before the instants already passed.
        fixture.clock.set(monday - 3600)
        host.fireDueNow()
        #expect(try fixture.timeline(host, "INC-1") == before)
        // An event sent now is applied after what already happened, not an hour before it.
        #expect(await host.submit([event("INC-1", .respond)], actor: 0) == .accepted(1))
        let responded = try host.store.events(ticket: "INC-1", limit: nil).last
        #expect(responded?.at == monday + 5 * 60 + 1)
        // Forward past the 15-minute OLA: the breach and the escalation fire once.
        fixture.clock.set(monday + 20 * 60)
        host.fireDueNow()
        host.fireDueNow()
        let after = try fixture.timeline(host, "INC-1")
        #expect(after.filter { $0.contains("\"kind\":\"breach\",\"clock\":\"line\"") }.count == 1)
        #expect(!after.contains { $0.contains("\"kind\":\"breach\",\"clock\":\"response\"") })
    }
}

@Suite("Closed tickets leave the log")
struct ForgottenTicketTests {
    /// A host where INC-1 and INC-2 opened, and a minute later INC-1 was answered with `closing`.
    private func hostWithClosedTicket(_ fixture: HostFixture, closing: [TicketChange]) async throws -> EngineHost {
        let host = try fixture.open()
        _ = await host.submit([event("INC-1", goldP1), event("INC-2", goldP1)], actor: 0)
        fixture.clock.advance(seconds: 60)
        _ = await host.submit(closing.map { event("INC-1", $0) }, actor: 0)
        return host
    }

    @Test("a restart recovers the open tickets unchanged without closed lives, and trims them only once it serves")
    func restartForgets() async throws {
        let fixture = try HostFixture()
        var host = try await hostWithClosedTicket(fixture, closing: [.respond, .close])
        fixture.clock.advance(seconds: 60)
        _ = await host.submit([event("INC-1", goldP1), event("INC-2", .pause(reason: "waiting-customer"))], actor: 0)
        let before = [await host.ticket("INC-1"), await host.ticket("INC-2")]
        host.stop()
        host = try fixture.open()
        #expect([await host.ticket("INC-1"), await host.ticket("INC-2")] == before)
        // Recovery left INC-1's first life out rather than wait for a trim: the events are still there.
        #expect(try host.store.counts().events == 6)
        // The timer's first wake starts the pass.
        host.fireDueNow()
        host.drain()
        #expect(try host.store.counts().events == 3)
        #expect(try host.store.events(ticket: "INC-1", limit: nil).map(\.event.change.name) == ["open"])
        #expect([await host.ticket("INC-1"), await host.ticket("INC-2")] == before)
    }

    @Test("while slad runs, closed tickets' events leave the log at its first wake and once an hour; a restart then recovers the same")
    func hourlyPass() async throws {
        let fixture = try HostFixture()
        var host = try await hostWithClosedTicket(fixture, closing: [.respond, .resolve, .close])
        host.fireDueNow()
        host.drain()
        #expect(try host.store.events(ticket: "INC-1", limit: nil).isEmpty)
        _ = await host.submit([event("INC-3", goldP1)], actor: 0)
        _ = await host.submit([event("INC-3", .close)], actor: 0)
        let timeline = try fixture.timeline(host, "INC-3")
        fixture.clock.advance(seconds: EngineHost.forgetInterval - 1)
        host.fireDueNow()
        host.drain()
        // Not yet an hour since the last pass.
        #expect(try host.store.events(ticket: "INC-3", limit: nil).count == 2)
        fixture.clock.advance(seconds: 1)
        host.fireDueNow()
        host.drain()
        #expect(try host.store.events(ticket: "INC-3", limit: nil).isEmpty)
        #expect(try host.store.events(ticket: "INC-2", limit: nil).count == 1)
        #expect(try host.store.timeline(ticket: "INC-3", limit: nil) == timeline)
        let before = await host.ticket("INC-2")
        host.stop()
        host = try fixture.open()
        #expect(await host.ticket("INC-2") == before)
        #expect(await host.ticket("INC-1") == nil)
        #expect(await host.status().openTickets == 1)
    }

    @Test("records of closed tickets older than retention.records leave the state; an open ticket keeps all of its own")
    func retention() async throws {
        let text = try String(contentsOfFile: exampleConfig, encoding: .utf8) + "retention: {records: 2d}\n"
        let fixture = try HostFixture(configText: text)
        let host = try await hostWithClosedTicket(fixture, closing: [.respond, .close])
        host.fireDueNow()
        host.drain()
        let open = try fixture.timeline(host, "INC-2")
        #expect(!(try fixture.timeline(host, "INC-1")).isEmpty)  // forgotten from the log, its records young
        fixture.clock.advance(seconds: 2 * 86_400 + 60)
        host.fireDueNow()
        host.drain()
        #expect(try fixture.timeline(host, "INC-1").isEmpty)
        let kept = try fixture.timeline(host, "INC-2")
        #expect(Array(kept.prefix(open.count)) == open)
        host.stop()
    }
}

@Suite("Submit on the event loop")
struct DirectSubmitTests {
    private func service(_ host: EngineHost) -> ControlService {
        ControlService(
            host: host, feed: RecordFeed(), access: AccessPolicy(writerGroups: [], readerGroups: []),
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    private func submit(_ count: Int) -> VarlinkCall {
        let events = (0..<count).map { index -> JSONValue in
            ["ticket": .string("D-\(index)"), "event": "open", "priority": "P1"]
        }
        return VarlinkCall(method: "io.slad.Sla.Submit", parameters: ["events": .array(events)])
    }

    @Test("a writer's small Submit is answered directly and applied; a bulk batch or a reader's call is left to the task path")
    func takenOrLeft() async throws {
        let host = try HostFixture().open()
        let service = service(host)
        let root = PeerCredentials(pid: 1, uid: 0, gid: 0)
        let answered = await withCheckedContinuation { continuation in
            let taken = service.answerDirectly(submit(2), peer: root) { continuation.resume(returning: $0) }
            #expect(taken)
        }
        #expect(try answered.get() == ["accepted": 2])
        #expect(await host.status().openTickets == 2)
        let bulk = submit(ControlService.directBatchLimit + 1)
        #expect(!service.answerDirectly(bulk, peer: root) { _ in Issue.record("a bulk batch was answered directly") })
        let stranger = PeerCredentials(pid: 1, uid: 4242, gid: 4242)
        #expect(!service.answerDirectly(submit(1), peer: stranger) { _ in Issue.record("a stranger was answered directly") })
        #expect(await host.status().openTickets == 2)
    }

    @Test("roles follow the groups the peer's process holds: joined, it writes or reads; dropped, it is nobody")
    func rolesFromPeerGroups() {
        let policy = AccessPolicy(writerGroups: [4242], readerGroups: [4343])
        let nobody = { (groups: [UInt32]) in PeerCredentials(pid: 1, uid: 65534, gid: 65534, groups: groups) }
        #expect(policy.role(of: nobody([4242])) == .writer)
        #expect(policy.role(of: nobody([100, 4343])) == .reader)
        #expect(policy.role(of: nobody([])) == .none)
        // The primary group counts too, as SO_PEERCRED gives it.
        #expect(policy.role(of: PeerCredentials(pid: 1, uid: 65534, gid: 4343, groups: [])) == .reader)
    }
}
