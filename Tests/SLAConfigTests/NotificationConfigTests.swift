import SLAConfig
import SLACore
import Testing

/// A valid configuration with notifications first (lines 1-27), then the rest.
private let notifying = """
    notifications:
      channels:
        mail: {type: email, sendmail: ["/usr/sbin/sendmail", "-t", "-oi"], from: "slad <slad@example.com>"}
        chat: {type: webhook, url: "https://chat.example.com/hooks/T0", format: slack, timeout: 5s}
        hook: {type: webhook, url: "http://127.0.0.1:9000/slad", format: json, secret_file: /etc/slad/hook.secret}
        pager: {type: exec, command: ["/usr/local/bin/page", "--to", "{contacts.phone}"]}
      routes:
        - match: {kind: [breach, escalate], priority: [P1, P2]}
          notify: [holder]
          urgency: high
          repeat: {every: 10m, times: 3}
          unacknowledged: [duty-manager]
          acknowledged_for: 1h
        - match: {kind: [warning], clock: [resolution, line]}
          notify: [holder, carol]
          urgency: low
    people:
      alice:
        user: alice
        contacts: {email: alice@example.com, phone: "+49 170 1111111"}
        channels: {high: [pager, chat], low: [mail]}
      carol: {channels: {high: [hook]}}
    teams:
      desk: {timezone: Europe/Berlin, layers: [{name: w, members: [alice], every: 1w, start: "2026-11-30 09:00"}]}
      duty-manager: {timezone: Europe/Berlin, fallback: carol}
    """

/// The whole document with line `number` (1-based) of the notifications part replaced.
private func document(_ number: Int? = nil, _ text: String = "") -> String {
    var lines = notifying.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let number { lines[number - 1] = text }
    let rest = ["calendars", "priorities", "agreements", "lines"].compactMap { Fixture.sections[$0] }
    return (lines + rest).joined(separator: "\n") + "\n"
}

/// Mistakes in the notifications part, in the shape of the on-call ones.
let notificationMistakes: [OnCallMistake] = [
    .init(
        name: "unknown channel of a person", line: 21, text: "    channels: {high: [pager, sms], low: [mail]}",
        at: "sms", fragment: "unknown channel \"sms\" in the channels of person \"alice\""),
    .init(
        name: "unknown team or person in notify", line: 15, text: "      notify: [holder, zed]", at: "zed",
        fragment: "unknown team or person \"zed\" in notify of route 2"),
    .init(
        name: "unknown team in unacknowledged", line: 12, text: "      unacknowledged: [nobody-team]",
        at: "nobody-team", fragment: "unknown team or person \"nobody-team\" in unacknowledged of route 1"),
    .init(
        name: "a person reachable by no channel", line: 22, text: "  carol: {user: carol}", at: "carol",
        fragment: "person \"carol\" is reachable by no channel"),
    .init(
        name: "a webhook URL that does not parse", line: 4,
        text: "    chat: {type: webhook, url: \"not a url\", format: slack}", at: "\"not a url\"",
        fragment: "the url \"not a url\" of channel \"chat\" does not parse"),
    .init(
        name: "unknown format", line: 4, text: "    chat: {type: webhook, url: \"https://x.example\", format: xml}",
        at: "xml", fragment: "unknown format \"xml\" of channel \"chat\""),
    .init(
        name: "unknown channel type", line: 6, text: "    pager: {type: sms, command: [\"/bin/true\"]}", at: "sms",
        fragment: "unknown type \"sms\" of channel \"pager\""),
    .init(
        name: "a relative sendmail", line: 3,
        text: "    mail: {type: email, sendmail: [sendmail], from: x@example.com}",
        at: "[sendmail]", fragment: "must start with the program's absolute path"),
    .init(
        name: "unknown match kind", line: 8, text: "    - match: {kind: [due], priority: [P1]}", at: "due",
        fragment: "unknown kind \"due\" in the match of route 1"),
    .init(
        name: "unknown priority", line: 8, text: "    - match: {kind: [breach], priority: [P7]}", at: "P7",
        fragment: "unknown priority \"P7\" in the match of route 1"),
    .init(
        name: "a bad repeat interval", line: 11, text: "      repeat: {every: 10x, times: 3}", at: "10x",
        fragment: "every of the repeat of route 1 \"10x\" is not a duration"),
    .init(
        name: "unknown urgency", line: 10, text: "      urgency: loud", at: "loud",
        fragment: "unknown urgency \"loud\" of route 1"),
    .init(
        name: "unknown route key", line: 13, text: "      acked_for: 1h", at: "acked_for",
        fragment: "unknown key \"acked_for\" in route 1"),
]

@Suite struct NotificationConfigTests {
    @Test func theIssuesExampleLoads() throws {
        let configuration = try ConfigLoader.parse(yaml: document(), file: "n.yaml").get()
        let policy = configuration.notifications
        #expect(policy.channels.map(\.name) == ["mail", "chat", "hook", "pager"])
        #expect(policy.channel(named: "chat")?.timeout == 5)
        #expect(policy.channel(named: "mail")?.timeout == NotificationChannel.defaultTimeout)
        #expect(policy.channel(named: "chat")?.giveUpAfter == 86_400)
        #expect(policy.channel(named: "hook")?.origin == "n.yaml:5:5")
        #expect(
            policy.channel(named: "hook")?.kind
                == .webhook(url: "http://127.0.0.1:9000/slad", format: .json, secretFile: "/etc/slad/hook.secret"))
        #expect(
            policy.channel(named: "pager")?.kind == .exec(command: ["/usr/local/bin/page", "--to", "{contacts.phone}"]))
        #expect(policy.routes.count == 2)
        let first = policy.routes[0]
        #expect(first.match.kinds == [.breach, .escalate])
        #expect(first.match.priorities == ["P1", "P2"])
        #expect(first.repeatEvery == 600 && first.repeatTimes == 3)
        #expect(first.unacknowledged == ["duty-manager"])
        #expect(first.acknowledgedFor == 3600)
        #expect(policy.routes[1].match.clocks == [.resolution, .line])
        #expect(policy.routes[1].urgency == .low)
        #expect(policy.recipients["alice"]?.user == "alice")
        #expect(policy.recipients["alice"]?.channels == [.high: ["pager", "chat"], .low: ["mail"]])
        #expect(policy.person(forUser: "alice") == "alice")
        #expect(policy.recipients["carol"]?.channels(for: .low) == ["hook"])
    }

    @Test func withoutNotificationsPeopleNeedNoChannels() throws {
        let yaml =
            (["people:\n  bob: {contacts: {email: b@example.com}}"]
            + ["calendars", "priorities", "agreements", "lines"].compactMap { Fixture.sections[$0] })
            .joined(separator: "\n") + "\n"
        let configuration = try ConfigLoader.parse(yaml: yaml, file: "n.yaml").get()
        #expect(configuration.notifications.isEmpty)
    }

    @Test(arguments: notificationMistakes)
    func mistakeIsReportedAtItsPlace(_ mistake: OnCallMistake) throws {
        let diagnostics = Fixture.diagnostics(document(mistake.line, mistake.text))
        let found = diagnostics.first { $0.message.contains(mistake.fragment) }
        #expect(found != nil, "\(diagnostics.map(\.description))")
        #expect(found?.line == mistake.line)
        #expect(found?.column == mistake.column)
    }
}
