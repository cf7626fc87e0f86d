import Foundation
import SLACore
import SLADaemon
import SLAWire
import Testing

@Suite("Ticket ids in one form, through the host, the store and recovery")
struct TicketIdentityHostTests {
    static func decoded(_ object: [String: Any]) throws -> TimedEvent {
        try EventFormat.decode(object: object).get()
    }

    @Test("café sent precomposed and decomposed in one batch is one ticket, before and after a restart")
    func nfcAndNfdAcrossARestart() async throws {
        let nfc = "caf\u{E9}"
        let nfd = "cafe\u{301}"
        let fixture = try HostFixture()
        var host = try fixture.open()
        let batch = [
            try Self.decoded(["ticket": nfc, "event": "open", "priority": "P1", "service": "mail", "customer": "acme"]),
            try Self.decoded(["ticket": nfd, "event": "respond"]),
        ]
        #expect(await host.submit(batch, actor: 0) == .accepted(2))
        #expect(await host.status().openTickets == 1)
        let before = await host.ticket(nfc)
        #expect(before != nil)
        #expect(before?.snapshot.clocks[0].state == .met, "the respond reached the ticket the open made")
        host.stop()
        host = try fixture.open()
        #expect(await host.status().openTickets == 1)
        #expect(await host.ticket(nfc) == before)
        // Across batches, after the restart, the other form still names the same ticket.
        #expect(await host.submit([try Self.decoded(["ticket": nfd, "event": "resolve"])], actor: 0) == .accepted(1))
        #expect(await host.ticket(nfc)?.snapshot.isResolved == true)
        host.stop()
    }
}
