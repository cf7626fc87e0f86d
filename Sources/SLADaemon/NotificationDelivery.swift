import Dispatch
import Foundation
import Logging
import SLACore
import SLAJSON
import SLANotify
import SLAStore
import ServiceLifecycle
import Synchronization

/// The delivery worker as a Service: sends what the outbox holds when it is due, beside the engine
/// (the engine's queue never waits on it), each channel at most `concurrency` attempts at once and
/// each attempt bounded by the channel's timeout, and writes every outcome back to the outbox.
///
/// An attempt whose outcome is unknown (a timeout after the request went out, a kill -9 before the
/// outcome was written) is made again with the same id: at least once, and a receiver that keeps
/// ids drops the duplicate.
final class DeliveryService: Service, CustomStringConvertible {
    private let engine: EngineService
    private let clock: any WallClock
    private let logger: Logger
    /// Store calls block (SQLite, fsync): they run here, never on the cooperative pool.
    private let io = DispatchQueue(label: "io.slad.outbox")
    private let work = Mutex(Work())

    struct Work {
        var inFlight: Set<Int64> = []
        var perChannel: [String: Int] = [:]
        var reports: [(AttemptReport, StoredNotification, DeliveryOutcome)] = []
    }

    var description: String { "notifications" }

    init(engine: EngineService, clock: any WallClock, logger: Logger) {
        self.engine = engine
        self.clock = clock
        self.logger = logger
    }

    func run() async throws {
        guard let host = await engine.host.valueOrStop() else { return }
        let sender = WebhookSender()
        let stopping = Atomic<Bool>(false)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                while !stopping.load(ordering: .acquiring) {
                    let pause = await self.pass(host: host, sender: sender, group: &group)
                    if stopping.load(ordering: .acquiring) { break }
                    await host.notifications.wait(upTo: pause)
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            stopping.store(true, ordering: .releasing)
            host.notifications.wake()
        }
        // What finished is written; what did not is still pending and is sent after the restart.
        await flush(host)
        await sender.shutdown()
    }

    private func onIO<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in io.async { continuation.resume(returning: body()) } }
    }

    private var nowMilliseconds: Int64 { Int64((clock.preciseNow() * 1000).rounded(.down)) }

    /// Writes the outcomes gathered so far; logs the notifications given up.
    private func flush(_ host: EngineHost) async {
        let reports = work.withLock { work in
            defer { work.reports.removeAll() }
            return work.reports
        }
        guard !reports.isEmpty else { return }
        let store = host.store
        let written: Result<[StoredNotification], StoreError> = await onIO {
            Result { () throws(StoreError) in try store.recordAttempts(reports.map(\.0)) }
        }
        work.withLock { work in
            for (report, _, _) in reports { work.inFlight.remove(report.seq) }
        }
        if case .failure(let error) = written {
            // Nothing is lost: the rows stay pending and are tried again (same ids).
            logger.error("cannot record notification outcomes: \(error)")
            return
        }
        for (report, row, _) in reports {
            switch report.step {
            case .failed(let reason), .disableChannel(let reason):
                let line =
                    "notification \(row.id) of \(row.ticket) to \(row.person) on channel \(row.channel) "
                    + "failed: \(reason)"
                    + (row.laterChannels.isEmpty ? "" : "; trying \(row.laterChannels[0]) next")
                logger.error(
                    "\(line)",
                    metadata: Lifecycle.metadata(
                        SladMessageID.notificationFailed,
                        [
                            "SLAD_TICKET": row.ticket, "SLAD_NOTIFICATION_ID": row.id, "SLAD_PERSON": row.person,
                            "SLAD_CHANNEL": row.channel, "SLAD_ERROR": reason, "SLAD_ATTEMPTS": "\(report.attempts)",
                        ]))
                if case .disableChannel = report.step {
                    logger.error("channel \(row.channel) is disabled until a reload: its endpoint answered 410 Gone")
                }
            default: break
            }
        }
    }

    /// Starts every due attempt there is room for; returns how long to wait before looking again.
    private func pass(host: EngineHost, sender: WebhookSender, group: inout DiscardingTaskGroup) async -> Duration {
        await flush(host)
        let desk = host.notifications
        let settings = desk.current
        let now = nowMilliseconds
        let excluding = work.withLock { $0.inFlight }
        let store = host.store
        // No more rows than attempts can start: a pass runs after every attempt, and reading (and
        // decoding) 512 rows each time to start one made the worker quadratic under load.
        let room = settings.policy.channels.reduce(0) { $0 + $1.concurrency } - excluding.count
        let limit = min(512, max(8, room))
        let due: [StoredNotification] = await onIO {
            (try? store.dueNotifications(throughMilliseconds: now, limit: limit, excluding: excluding)) ?? []
        }
        var blocked = false
        for row in due {
            guard let channel = settings.policy.channel(named: row.channel) else {
                // A reload removed the channel: give up on it, so the person's next channel is tried.
                record(row, .permanent("channel \(row.channel) is no longer configured"), firstAttempt: now, desk: desk)
                continue
            }
            if desk.isDisabled(channel.name) {
                record(
                    row, .gone("channel \(channel.name) is disabled (410 Gone) until a reload"), firstAttempt: now,
                    desk: desk)
                continue
            }
            let started = work.withLock { work -> Bool in
                guard work.perChannel[channel.name, default: 0] < channel.concurrency else { return false }
                work.perChannel[channel.name, default: 0] += 1
                work.inFlight.insert(row.seq)
                return true
            }
            guard started else {
                blocked = true
                continue
            }
            group.addTask { [self] in
                let first = row.firstAttemptMilliseconds ?? nowMilliseconds
                let outcome = await attempt(row, channel: channel, settings: settings, host: host, sender: sender)
                // The row stays in flight until its outcome is written (flush): else a pass between the two
                // would find it still pending and send it again.
                work.withLock { work in work.perChannel[channel.name, default: 1] -= 1 }
                record(row, outcome, firstAttempt: first, desk: desk, channel: channel)
            }
        }
        if !work.withLock({ $0.reports.isEmpty }) { return .zero }
        if blocked { return .milliseconds(500) }
        let inFlight = work.withLock { $0.inFlight }
        let next: Int64? = await onIO { try? store.nextNotificationAttempt(excluding: inFlight) } ?? nil
        guard let next else { return .seconds(30) }
        return .milliseconds(min(30_000, max(0, next - nowMilliseconds)))
    }

    private func record(
        _ row: StoredNotification, _ outcome: DeliveryOutcome, firstAttempt: Int64, desk: NotificationDesk,
        channel: NotificationChannel? = nil
    ) {
        desk.noteAttempt(row.channel, outcome)
        let now = nowMilliseconds
        let attempts = row.attempts + 1
        let step = DeliveryRetry.step(
            after: outcome, failures: attempts, firstAttempt: firstAttempt, now: now,
            giveUpAfter: channel?.giveUpAfter ?? NotificationChannel.defaultGiveUpAfter,
            random: Double.random(in: 0..<1))
        var error: String?
        switch outcome {
        case .delivered: error = nil
        case .temporary(let reason), .permanent(let reason), .gone(let reason): error = reason
        }
        let report = AttemptReport(
            seq: row.seq, step: step, attempts: attempts, firstAttemptMilliseconds: firstAttempt, error: error,
            atMilliseconds: now)
        work.withLock { $0.reports.append((report, row, outcome)) }
        desk.wake()
    }

    /// One attempt on one channel.
    private func attempt(
        _ row: StoredNotification, channel: NotificationChannel, settings: NotificationDesk.Settings,
        host: EngineHost, sender: WebhookSender
    ) async -> DeliveryOutcome {
        let store = host.store
        // A read on the pool's readers, beside the outbox's own queue (which writes the outcomes).
        let opened = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: (try? store.openedFor(ticket: row.ticket)) ?? nil)
            }
        }
        let person = settings.people[row.person]
        var contacts: [String: String] = [:]
        for contact in person?.contacts ?? [] { contacts[contact.channel] = contact.address }
        let message = NotificationMessage(
            id: row.id, attempt: row.attempts + 1, ticket: row.ticket, priority: row.priority,
            customer: opened?.customer, service: opened?.service, line: row.line,
            lineName: row.line.flatMap { line in settings.lines.first { $0.id == line }?.name },
            person: row.person, personName: person?.displayName, zone: person?.zone, contacts: contacts,
            record: (try? JSONValue.decode(row.record.split(separator: "\n").first.map(String.init) ?? "")) ?? .null,
            late: row.late, urgency: row.urgency, purpose: row.purpose, round: row.round)
        switch channel.kind {
        case .webhook(let url, let format, _):
            let (body, extra) = message.webhook(format)
            let headers = StandardWebhooks.headers(
                id: row.id, timestamp: Int64(clock.preciseNow()), body: body, key: settings.keys[channel.name])
            return await sender.post(url: url, body: body, headers: headers + extra, timeout: channel.timeout)
        case .email(let sendmail, let from):
            guard let mail = message.mail(from: from, date: clock.now()) else {
                return .permanent("\(row.person) has no email contact")
            }
            return await ProgramRunner.run(
                sendmail, input: mail, environment: ["SLAD_NOTIFICATION_ID": row.id], timeout: channel.timeout)
        case .exec(let command):
            return await ProgramRunner.run(
                message.arguments(command), input: message.json.encode(),
                environment: ["SLAD_NOTIFICATION_ID": row.id], timeout: channel.timeout)
        }
    }
}
