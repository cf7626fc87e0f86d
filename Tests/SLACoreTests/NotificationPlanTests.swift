import SLATestKit
import Testing

@testable import SLACore

private func utc(_ text: String) -> Instant { Timestamp.parse(text)! }

private let lines = [
    SupportLine(id: 1, name: "Service Desk", agreement: 0, team: "desk"),
    SupportLine(id: 2, name: "Incident Management", agreement: 1, team: "ops"),
    SupportLine(id: 3, name: "Development", agreement: 2),
    SupportLine(id: 4, name: "Vendor", agreement: 3, team: "vendor"),
]

private let policy = NotificationPolicy(
    channels: [
        NotificationChannel(name: "pager", kind: .exec(command: ["/bin/page"])),
        NotificationChannel(name: "mail", kind: .email(sendmail: ["/usr/sbin/sendmail"], from: "slad@example.com")),
    ],
    routes: [
        NotificationRoute(
            match: NotificationMatch(kinds: [.breach, .escalate], priorities: ["P1", "P2"]), notify: ["holder"],
            urgency: .high, repeatEvery: 600, repeatTimes: 3, unacknowledged: ["duty-manager"], acknowledgedFor: 3600),
        NotificationRoute(
            match: NotificationMatch(kinds: [.warning], clocks: [.resolution, .line]), notify: ["holder", "carol"],
            urgency: .low),
        NotificationRoute(match: NotificationMatch(customers: ["acme"], late: true), notify: ["carol"]),
    ],
    recipients: [
        "alice": NotificationRecipient(person: "alice", user: "alice", channels: [.high: ["pager"], .low: ["mail"]]),
        "bob": NotificationRecipient(person: "bob", channels: [.high: ["pager", "mail"]]),
        "carol": NotificationRecipient(person: "carol", channels: [.low: ["mail"]]),
        "dave": NotificationRecipient(person: "dave", channels: [.high: ["mail"]]),
    ])

/// desk: alice until noon, then bob; ops: bob; duty-manager: dave from 10:30; vendor: nobody.
private func onCall(_ team: String, _ instant: Instant) -> String? {
    switch team {
    case "desk": return instant < utc("2026-12-07T12:00:00Z") ? "alice" : "bob"
    case "ops": return "bob"
    case "duty-manager": return instant >= utc("2026-12-07T10:30:00Z") ? "dave" : "carol"
    default: return nil
    }
}

private let now = utc("2026-12-07T10:00:00Z")

private func record(_ kind: TimelineRecord.Kind) -> TimelineRecord {
    TimelineRecord(at: now - 5, ticket: "INC-42", kind: kind)
}

/// `person channel+offset purpose` per planned notification.
private func render(_ planned: [PlannedNotification]) -> [String] {
    planned.map { "\($0.person) \($0.channels.joined(separator: ","))+\($0.due - now) \($0.purpose.rawValue)" }
}

@Suite struct NotificationPlanTests {
    @Test func aP1BreachPagesTheHolderRepeatsAndThenTellsTheDutyManager() {
        let item = NotifiableRecord(record: record(.breach(.resolution, agreement: "gold")), priority: "P1", line: 1)
        let planned = policy.plan(item, lines: lines, now: now, onCall: onCall)
        #expect(
            render(planned) == [
                "alice pager+0 first", "alice pager+600 repeat", "alice pager+1200 repeat", "alice pager+1800 repeat",
                // Resolved at its own instant, 40 minutes on: dave has taken over duty by then.
                "dave mail+2400 unacknowledged",
            ])
        #expect(planned.allSatisfy { $0.ticket == "INC-42" })
        #expect(planned.filter { $0.purpose != .unacknowledged }.allSatisfy { $0.acknowledgedFor == 3600 })
        #expect(planned.map(\.round) == [0, 1, 2, 3, 4])
    }

    @Test func aFunctionalEscalationTellsTheNewLinesOnCallPerson() {
        let item = NotifiableRecord(
            record: record(.functionalEscalation(from: 1, to: 2, reason: .expired)), priority: "P2", line: 2)
        #expect(render(policy.plan(item, lines: lines, now: now, onCall: onCall)).first == "bob pager,mail+0 first")
    }

    @Test func aHierarchicalEscalationTellsTheRulesTarget() {
        let item = NotifiableRecord(
            record: record(.hierarchicalEscalation(to: "duty-manager", clock: .resolution, percent: 90)),
            priority: "P1", line: 1)
        // carol is duty manager at 10:00; she has only low channels, so a high notice falls to them.
        #expect(render(policy.plan(item, lines: lines, now: now, onCall: onCall)).first == "carol mail+0 first")
    }

    @Test func aWarningGoesToTheHolderAndNamedPeopleOnceEach() {
        let item = NotifiableRecord(
            record: record(.warning(.line(1), agreement: "desk", percent: 75)), priority: "P3", line: 1)
        #expect(
            render(policy.plan(item, lines: lines, now: now, onCall: onCall)) == [
                "alice mail+0 first", "carol mail+0 first",
            ])
        let again = NotifiableRecord(
            record: record(.warning(.line(1), agreement: "desk", percent: 75)), priority: "P3", line: 1)
        var twice = policy
        twice.routes[1].notify = ["holder", "alice", "desk"]
        #expect(render(twice.plan(again, lines: lines, now: now, onCall: onCall)) == ["alice mail+0 first"])
    }

    @Test func firstMatchingRouteWinsAndUnmatchedRecordsNotifyNobody() {
        let p3Breach = NotifiableRecord(
            record: record(.breach(.resolution, agreement: "gold")), priority: "P3", line: 1)
        #expect(policy.route(for: p3Breach) == nil)
        #expect(policy.plan(p3Breach, lines: lines, now: now, onCall: onCall).isEmpty)
        let responseWarning = NotifiableRecord(
            record: record(.warning(.response, agreement: "gold", percent: 50)), priority: "P1", line: 1)
        #expect(policy.route(for: responseWarning) == nil)
        let due = NotifiableRecord(record: record(.due(.response, agreement: "gold", due: now)), priority: "P1")
        #expect(policy.route(for: due) == nil)
        let lateAcme = NotifiableRecord(
            record: record(.breach(.response, agreement: "gold")), late: true, priority: "P4", line: 1,
            customer: "acme")
        #expect(policy.route(for: lateAcme) == 2)
        var onTime = lateAcme
        onTime.late = false
        #expect(policy.route(for: onTime) == nil)
    }

    @Test func nobodyOnCallMeansNobodyToldButNoCrash() {
        let item = NotifiableRecord(record: record(.breach(.line(4), agreement: "vendor")), priority: "P1", line: 4)
        #expect(policy.plan(item, lines: lines, now: now, onCall: onCall).isEmpty)
        let lineWithoutTeam = NotifiableRecord(
            record: record(.breach(.line(3), agreement: "dev")), priority: "P1", line: 3)
        #expect(policy.plan(lineWithoutTeam, lines: lines, now: now, onCall: onCall).isEmpty)
    }

    @Test func anAcknowledgementWithAcknowledgedForSchedulesAReminder() {
        let item = NotifiableRecord(record: record(.breach(.resolution, agreement: "gold")), priority: "P1", line: 1)
        let first = policy.plan(item, lines: lines, now: now, onCall: onCall)[0]
        let reminder = NotificationPolicy.reminder(after: now + 100, of: first)
        #expect(reminder?.due == now + 3700)
        #expect(reminder?.purpose == .reminder)
        var without = first
        without.acknowledgedFor = nil
        #expect(NotificationPolicy.reminder(after: now, of: without) == nil)
    }
}

/// A draw in 0 ..< 1.
private func unit(_ random: inout SplitMix) -> Double { Double(random.next() >> 11) / Double(UInt64(1) << 53) }

@Suite struct DeliveryRetryTests {
    @Test func backoffDoublesFromOneSecondToFiveMinutes() {
        let bases = (1...12).map { DeliveryRetry.baseDelay(afterFailures: $0) }
        #expect(
            bases == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000])
        #expect(DeliveryRetry.baseDelay(afterFailures: 10_000) == 300_000)
    }

    @Test func jitterStaysBetweenHalfAndAllOfTheBase() {
        var random = SplitMix(seed: 11)
        for failures in 1...15 {
            let base = DeliveryRetry.baseDelay(afterFailures: failures)
            for _ in 0..<50 {
                let delay = DeliveryRetry.delay(afterFailures: failures, random: unit(&random))
                #expect(delay >= base / 2 && delay <= base)
            }
        }
        #expect(DeliveryRetry.delay(afterFailures: 3, random: 0) == 2_000)
        #expect(DeliveryRetry.delay(afterFailures: 3, random: 0.5) == 3_000)
    }

    @Test func stepsAfterEachOutcome() {
        let start: Int64 = 1_000_000
        #expect(
            DeliveryRetry.step(
                after: .delivered, failures: 0, firstAttempt: start, now: start, giveUpAfter: 60, random: 0) == .sent)
        #expect(
            DeliveryRetry.step(
                after: .temporary("500"), failures: 1, firstAttempt: start, now: start, giveUpAfter: 60, random: 0)
                == .retry(atMilliseconds: start + 500))
        #expect(
            DeliveryRetry.step(
                after: .permanent("400"), failures: 1, firstAttempt: start, now: start, giveUpAfter: 60, random: 0)
                == .failed("400"))
        #expect(
            DeliveryRetry.step(
                after: .gone("410"), failures: 1, firstAttempt: start, now: start, giveUpAfter: 60, random: 0)
                == .disableChannel("410"))
    }

    /// Run against an injected clock: a channel that always answers 500 is retried with growing gaps
    /// until give_up_after (24h) is spent, then failed.
    @Test func aFailingChannelIsGivenUpAfterADay() {
        var random = SplitMix(seed: 3)
        let start: Int64 = 1_800_000_000_000
        var now = start
        var failures = 0
        var gaps: [Int64] = []
        while true {
            failures += 1
            let step = DeliveryRetry.step(
                after: .temporary("HTTP 500"), failures: failures, firstAttempt: start, now: now, giveUpAfter: 86_400,
                random: unit(&random))
            guard case .retry(let next) = step else {
                guard case .failed(let reason) = step else {
                    Issue.record("unexpected \(step)")
                    return
                }
                #expect(reason.hasPrefix("gave up after \(failures) attempts"))
                break
            }
            gaps.append(next - now)
            now = next
        }
        #expect(now - start <= 86_400_000)
        #expect(now - start > 86_400_000 - 300_000)
        #expect(gaps.prefix(3).map { $0 / 500 }.allSatisfy { $0 >= 1 })
        #expect(gaps.max()! <= 300_000)
        // About a day at five minutes a try, after the first nine doublings.
        #expect((280...600).contains(failures))
    }
}
