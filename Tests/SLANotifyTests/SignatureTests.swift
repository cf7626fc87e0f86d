import Foundation
import SLACore
import SLAJSON
import Testing

@testable import SLANotify

private func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

@Suite struct SignatureTests {
    @Test func sha256OfKnownTexts() {
        #expect(hex(SHA256.digest([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(
            hex(SHA256.digest(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // Two blocks, and a message whose padding spills into a second block.
        #expect(
            hex(SHA256.digest(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            hex(SHA256.digest([UInt8](repeating: 0x61, count: 1_000_000)))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than a block).
    @Test func hmacAgainstRFC4231() {
        #expect(
            hex(
                HMACSHA256.authenticationCode(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))
            )
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(
            hex(
                HMACSHA256.authenticationCode(
                    key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(
            hex(
                HMACSHA256.authenticationCode(
                    key: [UInt8](repeating: 0xaa, count: 131),
                    message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// The example of the Standard Webhooks specification's reference libraries.
    @Test func standardWebhooksSignature() throws {
        let key = try #require(StandardWebhooks.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"))
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let signature = StandardWebhooks.signature(
            key: key, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let headers = StandardWebhooks.headers(id: "msg_1", timestamp: 5, body: body, key: nil)
        #expect(headers.map(\.0) == ["webhook-id", "webhook-timestamp"])
        #expect(StandardWebhooks.key(fromSecret: "whsec_") == nil)
        #expect(StandardWebhooks.key(fromSecret: "not base64!") == nil)
    }
}

@Suite struct MessageTests {
    static func message(kind: String = "breach", late: Bool = false, zone: ZoneRules? = nil) throws
        -> NotificationMessage
    {
        let record = try JSONValue.decode(
            #"{"at":"2026-12-07T13:05:00Z","ticket":"INC-42","kind":"\#(kind)","clock":"resolution","#
                + #""agreement":"gold","percent":75}"#
        )
        return NotificationMessage(
            id: "ntf_1", attempt: 1, ticket: "INC-42", priority: "P1", customer: "acme", service: "mail", line: 2,
            lineName: "Incident Management", person: "alice", personName: "Alice Adams", zone: zone,
            contacts: ["email": "alice@example.com", "phone": "+49 170 1111111"], record: record, late: late,
            urgency: .high, purpose: .first, round: 0)
    }

    @Test func theLockScreenLineComesFirstInThePersonsZone() throws {
        let berlin = ZoneRules.fixed(name: "Europe/Berlin", offset: 3600)
        #expect(
            try Self.message(zone: berlin).text
                == "P1 INC-42 (acme, mail): resolution breached at 14:05 UTC+1; line 2 Incident Management holds it. "
                + "Acknowledge: slactl ack INC-42")
        #expect(try Self.message().text.contains("at 13:05 UTC;"))
        #expect(try Self.message(kind: "warning").what == "resolution at 75%")
        #expect(try Self.message(late: true).text.contains("(late: noticed after slad was down)"))
    }

    @Test func formats() throws {
        let message = try Self.message()
        let json = try JSONValue.decode(message.webhook(.json).body)
        #expect(json["id"]?.string == "ntf_1" && json["attempt"]?.int == 1)
        #expect(json["record"]?["kind"]?.string == "breach")
        #expect(json["ticket"]?["customer"]?.string == "acme")
        #expect(json["recipient"]?["person"]?.string == "alice")
        #expect(try JSONValue.decode(message.webhook(.slack).body)["text"]?.string == message.text)
        let ntfy = message.webhook(.ntfy)
        #expect(String(decoding: ntfy.body, as: UTF8.self) == message.text)
        #expect(ntfy.headers.contains { $0 == ("Title", "P1 INC-42: resolution breached") })
        #expect(ntfy.headers.contains { $0 == ("Priority", "5") })
        let mail = String(
            decoding: message.mail(from: "slad <slad@example.com>", date: Instant(secondsSince1970: 1_796_648_700))!,
            as: UTF8.self)
        #expect(mail.contains("To: alice@example.com\r\n"))
        #expect(mail.contains("Message-ID: <ntf_1@slad>\r\n"))
        #expect(mail.contains("Date: Mon, 07 Dec 2026 13:05:00 +0000\r\n"))
        #expect(
            message.arguments(["/bin/page", "--to", "{contacts.phone}", "{ticket}:{id}", "{unknown}"])
                == ["/bin/page", "--to", "+49 170 1111111", "INC-42:ntf_1", "{unknown}"])
    }
}
