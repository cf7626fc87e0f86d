import Foundation
import SLAContract
import SLACore
import SLAJSON
import SLAWire
import Testing

/// An event as slactl builds it, and what the daemon's decoder must make of it.
struct WireCase: CustomTestStringConvertible, Sendable {
    var event: SlaInterface.Event
    var expected: TimedEvent
    var testDescription: String { event.event }
}

let at = "2026-03-02T09:00:00+01:00"
let atInstant = Instant(secondsSince1970: 1_772_438_400)

let wireCases: [WireCase] = [
    WireCase(
        event: .init(ticket: "INC-1", kind: .open, at: at, priority: "P2", service: "mail", customer: "acme", line: 2),
        expected: TimedEvent(
            at: atInstant,
            event: TicketEvent(
                ticket: "INC-1", change: .open(priority: .level("P2"), service: "mail", customer: "acme", line: 2)))),
    WireCase(
        event: .init(ticket: "INC-2", kind: .open, impact: "high", urgency: "low"),
        expected: TimedEvent(
            at: nil,
            event: TicketEvent(
                ticket: "INC-2",
                change: .open(priority: .matrix(impact: "high", urgency: "low"), service: nil, customer: nil, line: nil)))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .respond, at: "2026-03-02T08:00:00.250Z"),
        expected: TimedEvent(at: atInstant + 1, event: TicketEvent(ticket: "INC-1", change: .respond))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .assign, line: 3),
        expected: TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .assign(line: 3)))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .pause, reason: "waiting-customer"),
        expected: TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .pause(reason: "waiting-customer")))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .resume),
        expected: TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .resume))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .reprioritize, priority: "P1"),
        expected: TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .reprioritize(.level("P1"))))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .reprioritize, impact: "low", urgency: "high"),
        expected: TimedEvent(
            at: nil, event: TicketEvent(ticket: "INC-1", change: .reprioritize(.matrix(impact: "low", urgency: "high"))))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .resolve),
        expected: TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .resolve))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .reopen),
        expected: TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .reopen))),
    WireCase(
        event: .init(ticket: "INC-1", kind: .close),
        expected: TimedEvent(at: nil, event: TicketEvent(ticket: "INC-1", change: .close))),
]

@Suite("An Event as slactl sends it is the event the daemon decodes")
struct EventWireTests {
    @Test("every kind: SLAContract's encoding through SLAWire's decoder gives the expected TimedEvent", arguments: wireCases)
    func decodes(_ wire: WireCase) throws {
        let text = wire.event.value.encode()
        #expect(EventFormat.decode(line: Data(text)) == .success(wire.expected), "\(String(decoding: text, as: UTF8.self))")
    }

    @Test("every kind of event is one the daemon knows", arguments: SlaInterface.Event.Kind.allCases)
    func kinds(_ kind: SlaInterface.Event.Kind) {
        #expect(wireCases.contains { $0.event.kind == kind })
    }
}
