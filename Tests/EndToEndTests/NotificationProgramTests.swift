import Foundation
import Testing

/// An SMTP receiver on loopback (Python's aiosmtpd): every message's envelope and text, a JSON line each.
final class SMTPReceiver {
    let directory: String
    let process: Process
    let port: Int

    static let script = #"""
        import asyncio, json, os, socket, sys
        from aiosmtpd.controller import Controller
        folder = sys.argv[1]
        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with open(os.path.join(folder, "mail.jsonl"), "a") as out:
                    out.write(json.dumps({"from": envelope.mail_from, "to": envelope.rcpt_tos,
                        "text": envelope.content.decode("utf-8", "replace")}) + "\n")
                return "250 OK"
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        controller.start()
        with open(os.path.join(folder, "port"), "w") as out:
            out.write(str(port))
        asyncio.get_event_loop().run_forever()
        """#

    init() throws {
        (directory, process, port) = try startReceiver(Self.script, prefix: "/tmp/slad-smtp-")
    }

    deinit { stopReceiver(process, directory) }

    var messages: [[String: Any]] {
        let text = (try? String(contentsOfFile: directory + "/mail.jsonl", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? jsonObject(String($0)) }
    }
}

/// Nested in the serialized DaemonTests: its tests block a thread while they wait for real processes,
/// and two such suites side by side would take both of a two-core machine's cooperative threads.
extension DaemonTests {
    @Suite("Notifications by mail and by program", .serialized)
    struct NotificationProgramTests {
        /// alice (the holder) is paged by an exec channel that appends to a file; bob is mailed through msmtp.
        private func config(smtpPort: Int, log: String) -> String {
            let script =
                "echo \"$SLAD_NOTIFICATION_ID {ticket} {contacts.phone}\" >> \(log); "
                + "ls /proc/self/fd >> \(log).fds; cat > \(log).json"
            return """
                calendars:
                  always: {timezone: UTC}
                priorities:
                  levels: [P1]
                agreements:
                  - {name: gold, kind: sla, calendar: always, targets: {P1: {resolution: 1s}}}
                  - {name: desk, kind: ola, calendar: always, targets: {P1: {resolution: 8h}}}
                  - {name: ops, kind: ola, calendar: always, targets: {P1: {resolution: 8h}}}
                  - {name: dev, kind: ola, calendar: always, targets: {P1: {resolution: 8h}}}
                  - {name: vendor, kind: uc, calendar: always, targets: {P1: {resolution: 8h}}}
                lines:
                  - {id: 1, name: Service Desk, agreement: desk, team: desk}
                  - {id: 2, name: Incident Management, agreement: ops}
                  - {id: 3, name: Development, agreement: dev}
                  - {id: 4, name: Vendor, agreement: vendor}
                people:
                  alice: {contacts: {phone: "+49 170 1111111"}, channels: {high: [pager]}}
                  bob: {contacts: {email: bob@example.com}, channels: {high: [mail]}}
                teams:
                  desk: {timezone: Europe/Berlin, fallback: alice}
                notifications:
                  channels:
                    pager: {type: exec, command: ["/bin/sh", "-c", \(jsonString(script))], timeout: 5s}
                    mail:
                      type: email
                      sendmail: ["/usr/bin/msmtp", "--host=127.0.0.1", "--port=\(smtpPort)", "--auth=off", "--tls=off",
                        "--from=slad@example.com", "-t"]
                      from: "slad <slad@example.com>"
                  routes:
                    - {match: {kind: [breach]}, notify: [holder, bob]}
                """
        }

        private func jsonString(_ text: String) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast()
                .description
        }

        @Test("a breach pages through a program (id in its environment, no inherited sockets) and mails through msmtp")
        func execAndMail() throws {
            let smtp = try SMTPReceiver()
            let log = smtp.directory + "/paged"
            let daemon = try RunningDaemon(configText: config(smtpPort: smtp.port, log: log))
            #expect(try daemon.slactl(["open", "INC-5", "--priority", "P1", "--customer", "acme"]).status == 0)
            #expect(eventually { smtp.messages.count == 1 && FileManager.default.fileExists(atPath: log + ".json") },
                "\(daemon.log)")
            let listed = try jsonObject(try daemon.slactl(["notifications", "INC-5", "--json"]).stdout)
            let rows = listed["notifications"] as? [[String: Any]] ?? []
            #expect(try eventually {
                let again = try jsonObject(try daemon.slactl(["notifications", "INC-5", "--json"]).stdout)
                return (again["notifications"] as? [[String: Any]] ?? []).allSatisfy { $0["state"] as? String == "sent" }
            })
            let alice = try #require(rows.first { $0["person"] as? String == "alice" })
            let bob = try #require(rows.first { $0["person"] as? String == "bob" })
            // The program: its argv placeholders filled, the id in SLAD_NOTIFICATION_ID, the JSON payload on stdin.
            let paged = try String(contentsOfFile: log, encoding: .utf8)
            #expect(paged == "\(alice["id"] as? String ?? "?") INC-5 +49 170 1111111\n")
            let payload = try jsonObject(try String(contentsOfFile: log + ".json", encoding: .utf8))
            #expect(payload["id"] as? String == alice["id"] as? String)
            #expect((payload["text"] as? String ?? "").hasPrefix("P1 INC-5 (acme): resolution breached at "))
            // Nothing of slad's but the standard descriptors (and ls's own directory) reaches the child.
            let fds = try String(contentsOfFile: log + ".fds", encoding: .utf8).split(separator: "\n")
            #expect(fds.count <= 4, "descriptors in the child: \(fds)")
            // The mail: to bob, its Message-ID the notification's id.
            let mail = try #require(smtp.messages.first)
            #expect(mail["to"] as? [String] == ["bob@example.com"])
            let text = mail["text"] as? String ?? ""
            #expect(text.contains("Message-ID: <\(bob["id"] as? String ?? "?")@slad>"), "\(text)")
            #expect(text.contains("Subject: P1 INC-5: resolution breached"), "\(text)")
        }
    }
}
