import Foundation
import GRDB
import SLACore
import Testing

@testable import SLAStore

/// A breach record on `ticket` with `count` planned notifications to alice (first, then repeats).
private func breachUnit(
    _ ticket: String, repeats: Int = 0, channels: [String] = ["hook"], acknowledgedFor: Int64? = nil
)
    -> CommitUnit
{
    let record = StoredRecord(
        record: TimelineRecord(at: instant(), ticket: ticket, kind: .breach(.resolution, agreement: "gold")))
    var unit = CommitUnit(log: [.event(storedEvent(ticket))], records: [record])
    unit.notifications = (0...repeats).map { round in
        OutboxEntry(
            planned: PlannedNotification(
                ticket: ticket, person: "alice", urgency: .high, channels: channels, due: instant(Int64(round) * 600),
                purpose: round == 0 ? .first : .repeat, round: round, acknowledgedFor: acknowledgedFor),
            record: record.line, recordAt: record.record.at, late: false, priority: "P1", line: 2)
    }
    return unit
}

private let later: Int64 = (instant(86_400).secondsSince1970) * 1000

@Suite("Outbox")
struct OutboxStoreTests {
    @Test("a notification is committed with its record, in one transaction, pending, with a stable id")
    func writtenWithTheRecord() throws {
        try withStore { store, directory in
            let unit = breachUnit("INC-1", repeats: 2)
            try store.commit([unit])
            let stored = try store.notifications(ticket: "INC-1").reversed().map { $0 }
            #expect(stored.map(\.state) == [.pending, .pending, .pending])
            #expect(stored.map(\.id) == unit.notifications.map(\.id))
            #expect(stored.allSatisfy { $0.id.hasPrefix("ntf_") && $0.id.count == 28 })
            #expect(stored[0].record.contains("\"kind\":\"breach\""))
            #expect(stored.map(\.due) == [instant(), instant(600), instant(1200)])
            // Only the first is due now; the repeats wait for their instants.
            let due = try store.dueNotifications(throughMilliseconds: instant(1).secondsSince1970 * 1000, limit: 10)
            #expect(due.map(\.round) == [0])
            #expect(try store.nextNotificationAttempt(excluding: [due[0].seq]) == instant(600).secondsSince1970 * 1000)
            try store.close()
            // Reopened (a restart): the same rows, the same ids.
            let reopened = try StateStore(directory: directory)
            #expect(try reopened.notifications(ticket: "INC-1").reversed().map(\.id) == unit.notifications.map(\.id))
        }
    }

    @Test("a unit whose events fail to insert leaves no notification behind")
    func rolledBackTogether() throws {
        try withStore { store, _ in
            var unit = breachUnit("INC-1")
            // Two events with the same seq cannot be: make the event row invalid instead (empty ticket).
            unit.log = [.event(storedEvent(""))]
            #expect(throws: StoreError.self) { try store.commit([unit]) }
            let left = try store.notifications(ticket: nil)
            #expect(left.isEmpty)
        }
    }

    @Test("acknowledging cancels every pending notice of the ticket in one transaction, and says how many")
    func acknowledge() throws {
        try withStore { store, _ in
            try store.commit([breachUnit("INC-1", repeats: 3), breachUnit("INC-2", repeats: 1)])
            let first = try store.dueNotifications(throughMilliseconds: instant().secondsSince1970 * 1000, limit: 10)
            try store.recordAttempts(
                first.filter { $0.ticket == "INC-1" }.map {
                    AttemptReport(
                        seq: $0.seq, step: .sent, attempts: 1, firstAttemptMilliseconds: 1, error: nil,
                        atMilliseconds: 2)
                })
            let result = try store.acknowledge(
                ticket: "INC-1", person: "alice", actor: 1000, note: "on it", at: instant(60))
            #expect(result == StateStore.AcknowledgeResult(cancelled: 3, acknowledged: 1, reminders: 0))
            #expect(
                try store.notifications(ticket: "INC-1").map(\.state).sorted { $0.rawValue < $1.rawValue }
                    == [.acknowledged, .cancelled, .cancelled, .cancelled])
            #expect(
                try store.dueNotifications(throughMilliseconds: later, limit: 10).map(\.ticket) == ["INC-2", "INC-2"])
            let acks = try store.acknowledgements(ticket: "INC-1")
            #expect(acks.map(\.person) == ["alice"] && acks.map(\.note) == ["on it"] && acks.map(\.cancelled) == [3])
            // Again: nothing left to cancel, not an error.
            #expect(
                try store.acknowledge(ticket: "INC-1", person: nil, actor: 0, note: nil, at: instant(61)).cancelled == 0
            )
        }
    }

    @Test("acknowledged_for schedules one reminder per person, cancelled in turn by a resolve")
    func reminder() throws {
        try withStore { store, _ in
            try store.commit([breachUnit("INC-1", repeats: 2, acknowledgedFor: 3600)])
            let result = try store.acknowledge(ticket: "INC-1", person: nil, actor: 0, note: nil, at: instant(100))
            #expect(result.reminders == 1)
            let pending = try store.notifications(ticket: "INC-1", states: [.pending])
            #expect(pending.map(\.purpose) == [.reminder])
            #expect(pending.map(\.due) == [instant(3700)])
            var resolve = CommitUnit(log: [.event(storedEvent("INC-1", .resolve, at: 200))])
            resolve.settledTickets = ["INC-1"]
            try store.commit([resolve])
            #expect(try store.notifications(ticket: "INC-1", states: [.pending]).isEmpty)
        }
    }

    @Test("a resolve or close in the unit cancels the ticket's pending notifications, not others'")
    func settledCancels() throws {
        try withStore { store, _ in
            try store.commit([breachUnit("INC-1", repeats: 2), breachUnit("INC-2")])
            var close = CommitUnit(log: [.event(storedEvent("INC-1", .close, at: 10))])
            close.settledTickets = ["INC-1"]
            try store.commit([close])
            #expect(try store.notifications(ticket: "INC-1").allSatisfy { $0.state == .cancelled })
            #expect(try store.notifications(ticket: "INC-2").map(\.state) == [.pending])
            #expect(try store.notificationCounts() == (1, 0))
        }
    }

    @Test("a retry keeps the id; a channel given up hands over to the next channel at once, as a new notice")
    func retryThenNextChannel() throws {
        try withStore { store, _ in
            try store.commit([breachUnit("INC-1", channels: ["hook", "mail"])])
            let row = try store.dueNotifications(throughMilliseconds: later, limit: 1)[0]
            try store.recordAttempts([
                AttemptReport(
                    seq: row.seq, step: .retry(atMilliseconds: 5_000), attempts: 1, firstAttemptMilliseconds: 4_000,
                    error: "HTTP 500", atMilliseconds: 4_000)
            ])
            let retried = try store.notifications(ticket: "INC-1")[0]
            #expect(retried.id == row.id && retried.attempts == 1 && retried.lastError == "HTTP 500")
            #expect(retried.nextAttemptMilliseconds == 5_000 && retried.state == .pending)
            let handed = try store.recordAttempts([
                AttemptReport(
                    seq: row.seq, step: .failed("gave up"), attempts: 9, firstAttemptMilliseconds: 4_000,
                    error: "HTTP 500", atMilliseconds: 90_000)
            ])
            #expect(handed.map(\.channel) == ["mail"])
            #expect(handed[0].follows == row.id && handed[0].id != row.id)
            #expect(handed[0].nextAttemptMilliseconds == 90_000)
            let all = try store.notifications(ticket: "INC-1")
            #expect(all.map(\.state) == [.pending, .failed])
            #expect(all[1].lastError == "gave up")
            #expect(try store.notificationCounts() == (1, 1))
            // The last channel failing hands over to nobody.
            #expect(
                try store.recordAttempts([
                    AttemptReport(
                        seq: handed[0].seq, step: .failed("exit 1"), attempts: 1, firstAttemptMilliseconds: 1,
                        error: nil, atMilliseconds: 2)
                ]).isEmpty)
        }
    }

    @Test("an attempt that ends after an acknowledgement does not undo it")
    func attemptAfterAcknowledgement() throws {
        try withStore { store, _ in
            try store.commit([breachUnit("INC-1")])
            let row = try store.dueNotifications(throughMilliseconds: later, limit: 1)[0]
            _ = try store.acknowledge(ticket: "INC-1", person: nil, actor: 0, note: nil, at: instant(1))
            try store.recordAttempts([
                AttemptReport(
                    seq: row.seq, step: .sent, attempts: 1, firstAttemptMilliseconds: 1, error: nil, atMilliseconds: 2)
            ])
            #expect(try store.notifications(ticket: "INC-1").map(\.state) == [.cancelled])
        }
    }

    @Test("the schema refuses a state outside the five")
    func schemaChecks() throws {
        try withTemporaryDirectory { directory in
            let store = try StateStore(directory: directory)
            try store.commit([breachUnit("INC-1")])
            try store.close()
            let queue = try DatabaseQueue(path: directory + "/state.sqlite")
            #expect(throws: (any Error).self) {
                try queue.write { try $0.execute(sql: "UPDATE notification SET state = 'lost'") }
            }
            let names = try queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations") }
            #expect(names.contains("v8-notifications"))
        }
    }
}
