import Foundation
import SLACore
import Yams

extension ConfigReader {
    static let notificationKeys = ["channels", "routes"]
    static let channelKeys = [
        "type", "sendmail", "from", "url", "format", "timeout", "secret_file", "command", "give_up_after",
        "concurrency",
    ]
    static let routeKeys = ["match", "notify", "urgency", "repeat", "unacknowledged", "acknowledged_for"]
    static let routeMatchKeys = ["kind", "clock", "line", "priority", "agreement", "customer", "service", "late"]

    /// The `notifications` section with the people's `user` and `channels`; every reference checked.
    ///
    /// - Parameter people: the `people` node, read again here for the keys notifications add.
    mutating func readNotifications(
        _ node: Node?, people: Node?, teams: TeamTable, peopleTable: PeopleTable, priorities: PriorityTable
    ) -> NotificationPolicy {
        var policy = NotificationPolicy()
        var channelNodes: [String: Node] = [:]
        if let node,
            let fields = mapping(
                node, "notifications", allowed: Self.notificationKeys, example: "{channels: ..., routes: [...]}")
        {
            if let channels = fields["channels"],
                let entries = mapping(
                    channels.value, "the notification channels", allowed: nil, example: "mail: {type: email, ...}")
            {
                for entry in entries.entries {
                    channelNodes[entry.key] = entry.keyNode
                    if let channel = readChannel(name: entry.key, entry.value, keyNode: entry.keyNode) {
                        policy.channels.append(channel)
                    }
                }
            }
            if let routes = fields["routes"],
                let items = list(
                    routes.value, "the notification routes", example: "[{match: {kind: [breach]}, notify: [holder]}]")
            {
                for (position, item) in items.enumerated() {
                    if let route = readRoute(
                        item, position: position, teams: teams, people: peopleTable, priorities: priorities)
                    {
                        policy.routes.append(route)
                    }
                }
            }
        }
        let known = Array(channelNodes.keys).sorted()
        if let people, case .mapping(let mapping) = people {
            for (keyNode, value) in mapping {
                guard case .scalar(let key) = keyNode, case .mapping(let fields) = value else { continue }
                let what = "person \"\(key.string)\""
                var recipient = NotificationRecipient(person: key.string)
                for (fieldKey, fieldValue) in fields {
                    guard case .scalar(let name) = fieldKey else { continue }
                    switch name.string {
                    case "user":
                        recipient.user = text(fieldValue, "the user of \(what)", example: "alice")
                    case "channels":
                        recipient.channels = readPersonChannels(fieldValue, what, known: known)
                    default: continue
                    }
                }
                if node != nil, recipient.channels.values.allSatisfy(\.isEmpty) {
                    report(
                        keyNode,
                        "\(what) is reachable by no channel; add channels: {high: [...], low: [...]} naming "
                            + "channels of notifications.channels (defined are \(nameList(known)))")
                }
                policy.recipients[recipient.person] = recipient
            }
        }
        return policy
    }

    private mutating func readPersonChannels(
        _ node: Node, _ what: String, known: [String]
    ) -> [NotificationUrgency: [String]] {
        var result: [NotificationUrgency: [String]] = [:]
        guard
            let fields = mapping(
                node, "the channels of \(what)", allowed: NotificationUrgency.allCases.map(\.rawValue),
                example: "{high: [pager, chat], low: [mail]}")
        else { return result }
        for field in fields.entries {
            guard let urgency = NotificationUrgency(rawValue: field.key),
                let items = list(field.value, "the \(field.key) channels of \(what)", example: "[pager, chat]")
            else { continue }
            var names: [String] = []
            for item in items {
                guard let name = text(item, "a channel of \(what)", example: "mail") else { continue }
                if known.contains(name) {
                    names.append(name)
                } else {
                    report(
                        item, "unknown channel \"\(name)\" in the channels of \(what); defined are \(nameList(known))")
                }
            }
            result[urgency] = names
        }
        return result
    }

    private mutating func readChannel(name: String, _ node: Node, keyNode: Node) -> NotificationChannel? {
        let what = "channel \"\(name)\""
        guard
            let fields = mapping(
                node, what, allowed: Self.channelKeys, example: "{type: webhook, url: \"https://...\", format: json}")
        else { return nil }
        let before = diagnostics.count
        var timeout = NotificationChannel.defaultTimeout
        if let field = fields["timeout"], let seconds = duration(field.value, "the timeout of \(what)") {
            timeout = seconds
        }
        var giveUp = NotificationChannel.defaultGiveUpAfter
        if let field = fields["give_up_after"], let seconds = duration(field.value, "give_up_after of \(what)") {
            giveUp = seconds
        }
        var concurrency = NotificationChannel.defaultConcurrency
        if let field = fields["concurrency"],
            let value = integer(field.value, "the concurrency of \(what)", in: 1...256, example: "4")
        {
            concurrency = value
        }
        func needs(_ key: String, for type: String, example: String) -> Node? {
            guard let field = fields[key] else {
                report(node, "\(what) of type \(type) needs \(key), for example \(key): \(example)")
                return nil
            }
            return field.value
        }
        func refuse(_ keys: [String], for type: String) {
            for key in keys {
                if let field = fields[key] { report(field.keyNode, "\(key) does not apply to \(what) of type \(type)") }
            }
        }
        guard let typeNode = fields["type"]?.value else {
            report(node, "\(what) has no type; write type: email, type: webhook or type: exec")
            return nil
        }
        guard let type = text(typeNode, "the type of \(what)", example: "webhook") else { return nil }
        var kind: NotificationChannel.Kind?
        switch type {
        case "email":
            refuse(["url", "format", "secret_file", "command"], for: type)
            let sendmail = needs("sendmail", for: type, example: "[\"/usr/sbin/sendmail\", \"-t\", \"-oi\"]")
                .flatMap { program($0, "the sendmail of \(what)") }
            let from = needs("from", for: type, example: "\"slad <slad@example.com>\"")
                .flatMap { text($0, "the from of \(what)", example: "slad <slad@example.com>") }
            if let sendmail, let from { kind = .email(sendmail: sendmail, from: from) }
        case "webhook":
            refuse(["sendmail", "from", "command"], for: type)
            var format = WebhookFormat.json
            if let field = fields["format"], let value = text(field.value, "the format of \(what)", example: "json") {
                if let known = WebhookFormat(rawValue: value) {
                    format = known
                } else {
                    report(field.value, "unknown format \"\(value)\" of \(what); write json, slack or ntfy")
                }
            }
            let secret = fields["secret_file"].flatMap {
                text($0.value, "the secret_file of \(what)", example: "/etc/slad/hook.secret")
            }
            if let urlNode = needs("url", for: type, example: "\"https://chat.example.com/hooks/T0\""),
                let url = text(urlNode, "the url of \(what)", example: "https://chat.example.com/hooks/T0")
            {
                if Self.isWebhookURL(url) {
                    kind = .webhook(url: url, format: format, secretFile: secret)
                } else {
                    report(
                        urlNode,
                        "the url \(Self.quoted(url)) of \(what) does not parse as an http or https URL with a host; "
                            + "write it like https://chat.example.com/hooks/T0")
                }
            }
        case "exec":
            refuse(["sendmail", "from", "url", "format", "secret_file"], for: type)
            if let command = needs(
                "command", for: type, example: "[\"/usr/local/bin/page\", \"--to\", \"{contacts.phone}\"]"
            )
            .flatMap({ program($0, "the command of \(what)") }) {
                kind = .exec(command: command)
            }
        default:
            report(typeNode, "unknown type \"\(type)\" of \(what); write email, webhook or exec")
        }
        guard let kind, diagnostics.count == before else { return nil }
        var channel = NotificationChannel(
            name: name, kind: kind, timeout: timeout, giveUpAfter: giveUp, concurrency: concurrency)
        channel.origin = "\(file):\(keyNode.mark?.line ?? 1):\(keyNode.mark?.column ?? 1)"
        return channel
    }

    /// An argv list whose first entry is an absolute path.
    private mutating func program(_ node: Node, _ what: String) -> [String]? {
        guard let argv = texts(node, what, example: "[\"/usr/sbin/sendmail\", \"-t\"]") else { return nil }
        guard let first = argv.first, first.hasPrefix("/") else {
            report(
                node,
                "\(what) must start with the program's absolute path, for example [\"/usr/sbin/sendmail\", \"-t\"]")
            return nil
        }
        return argv
    }

    static func isWebhookURL(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else { return false }
        return true
    }

    private mutating func readRoute(
        _ node: Node, position: Int, teams: TeamTable, people: PeopleTable, priorities: PriorityTable
    ) -> NotificationRoute? {
        let what = "route \(position + 1)"
        guard
            let fields = mapping(
                node, what, allowed: Self.routeKeys, example: "{match: {kind: [breach]}, notify: [holder]}")
        else { return nil }
        let before = diagnostics.count
        var match = NotificationMatch()
        if let field = fields["match"] { match = readRouteMatch(field.value, what, priorities: priorities) }
        func targets(_ key: String) -> [String] {
            guard let field = fields[key],
                let names = texts(field.value, "\(key) of \(what)", example: "[holder]", scalarAllowed: true)
            else { return [] }
            let items: [Node]
            if case .sequence(let sequence) = field.value { items = Array(sequence) } else { items = [field.value] }
            for (name, item) in zip(names, items) where name != NotificationRoute.holder {
                checkReference(item, name, "\(key) of \(what)", teams: teams, people: people, personAllowed: true)
            }
            return names
        }
        let notify = targets("notify")
        if fields["notify"] == nil {
            report(node, "\(what) has no notify; add notify: [holder] or team and person names")
        }
        let unacknowledged = targets("unacknowledged")
        var urgency = NotificationUrgency.high
        if let field = fields["urgency"], let value = text(field.value, "the urgency of \(what)", example: "high") {
            if let known = NotificationUrgency(rawValue: value) {
                urgency = known
            } else {
                report(field.value, "unknown urgency \"\(value)\" of \(what); write high or low")
            }
        }
        var every: Int64?
        var times = 0
        if let field = fields["repeat"],
            let repeatFields = mapping(
                field.value, "the repeat of \(what)", allowed: ["every", "times"], example: "{every: 10m, times: 3}")
        {
            if let value = repeatFields["every"] {
                every = duration(value.value, "every of the repeat of \(what)")
            } else {
                report(field.value, "the repeat of \(what) has no every; add every: 10m")
            }
            if let value = repeatFields["times"] {
                times = integer(value.value, "times of the repeat of \(what)", in: 1...100, example: "3") ?? 0
            } else {
                report(field.value, "the repeat of \(what) has no times; add times: 3")
            }
        }
        if let field = fields["unacknowledged"], every == nil {
            report(field.keyNode, "unacknowledged of \(what) needs a repeat: it is told when the repeats are used up")
        }
        var acknowledgedFor: Int64?
        if let field = fields["acknowledged_for"] {
            acknowledgedFor = duration(field.value, "acknowledged_for of \(what)")
        }
        guard diagnostics.count == before else { return nil }
        return NotificationRoute(
            match: match, notify: notify, urgency: urgency, repeatEvery: every, repeatTimes: times,
            unacknowledged: unacknowledged, acknowledgedFor: acknowledgedFor)
    }

    private mutating func readRouteMatch(_ node: Node, _ route: String, priorities: PriorityTable) -> NotificationMatch
    {
        var match = NotificationMatch()
        let what = "the match of \(route)"
        guard
            let fields = mapping(node, what, allowed: Self.routeMatchKeys, example: "{kind: [breach], priority: [P1]}")
        else { return match }
        func values(_ key: String, example: String) -> [(String, Node)]? {
            guard let field = fields[key],
                let names = texts(field.value, "\(key) of \(what)", example: example, scalarAllowed: true)
            else { return nil }
            let items: [Node]
            if case .sequence(let sequence) = field.value { items = Array(sequence) } else { items = [field.value] }
            return Array(zip(names, items))
        }
        if let kinds = values("kind", example: "[breach, escalate]") {
            match.kinds = kinds.compactMap { name, item in
                if let kind = NotifyingKind(rawValue: name) { return kind }
                report(
                    item, "unknown kind \"\(name)\" in \(what); records that notify are warning, breach and escalate")
                return nil
            }
        }
        if let clocks = values("clock", example: "[resolution, line]") {
            match.clocks = clocks.compactMap { name, item in
                if let clock = ClockKind(rawValue: name) { return clock }
                report(item, "unknown clock \"\(name)\" in \(what); clocks are response, resolution and line")
                return nil
            }
        }
        if let lines = values("line", example: "[2, 3]") {
            match.lines = lines.compactMap { name, item in
                if let line = Int(name), (1...4).contains(line) { return line }
                report(item, "line \"\(name)\" in \(what) is not a line; lines are 1 to 4")
                return nil
            }
        }
        if let levels = values("priority", example: "[P1, P2]") {
            match.priorities = levels.map { name, item in
                if priorities.levelsReliable, priorities.index(of: name) == nil {
                    report(item, "unknown priority \"\(name)\" in \(what); levels are \(nameList(priorities.levels))")
                }
                return name
            }
        }
        match.agreements = values("agreement", example: "[gold]")?.map(\.0)
        match.customers = values("customer", example: "[acme]")?.map(\.0)
        match.services = values("service", example: "[mail]")?.map(\.0)
        if let field = fields["late"], let value = text(field.value, "late of \(what)", example: "true") {
            switch value {
            case "true": match.late = true
            case "false": match.late = false
            default: report(field.value, "late of \(what) must be true or false; found \"\(value)\"")
            }
        }
        return match
    }
}
