import Dispatch
import Foundation
import SLAContract
import SLACore
import SLAJSON
import SLAStore
import SLAVarlink

/// The notification methods of io.slad.Sla (issue 11): Acknowledge and ListNotifications.
extension ControlService {
    /// The Unix user name of a uid, from the user database; nil when it has none.
    static func userName(of uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name
        else { return nil }
        return String(cString: name)
    }

    /// Who the caller is among the people: the person whose `user` is the caller's Unix user.
    func person(of peer: PeerCredentials) async -> String? {
        guard let name = Self.userName(of: peer.uid) else { return nil }
        return host.notifications.current.policy.person(forUser: name)
    }

    /// Writers may acknowledge; so may a person's own Unix user (as herself), whatever her groups.
    func mayAcknowledge(_ peer: PeerCredentials) async -> Bool {
        if access.role(of: peer) >= .writer { return true }
        return await person(of: peer) != nil
    }

    /// Blocking store work, off the cooperative pool.
    private func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: body()) }
        }
    }

    func acknowledge(_ parameters: [String: JSONValue], peer: PeerCredentials) async throws
        -> SlaInterface.Acknowledge.Reply
    {
        let request: SlaInterface.Acknowledge.Parameters
        do {
            request = try SlaInterface.Acknowledge.Parameters(json: parameters)
        } catch {
            throw VarlinkError.invalidParameter(error.field)
        }
        guard !request.ticket.isEmpty, request.ticket.utf8.count <= 128 else {
            throw VarlinkError.invalidParameter("ticket")
        }
        if let note = request.note,
            note.utf8.count > 4096 || note.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" })
        {
            throw VarlinkError.invalidParameter("note")
        }
        let person = await person(of: peer)
        let store = host.store
        let ticket = request.ticket.precomposedStringWithCanonicalMapping
        let at = Instant(secondsSince1970: Int64(Date().timeIntervalSince1970))
        let result: Result<StateStore.AcknowledgeResult, StoreError> = await offPool {
            Result { () throws(StoreError) in
                try store.acknowledge(ticket: ticket, person: person, actor: peer.uid, note: request.note, at: at)
            }
        }
        switch result {
        case .success(let outcome):
            let line =
                "ticket \(ticket) acknowledged by \(person ?? "uid \(peer.uid)"): \(outcome.cancelled) pending "
                + "notification(s) cancelled" + (request.note.map { " (note: \($0))" } ?? "")
            logger.notice("\(line)")
            return SlaInterface.Acknowledge.Reply(cancelled: outcome.cancelled)
        case .failure(let error):
            throw VarlinkError(SlaInterface.StorageUnavailable(reason: "the state cannot be written: \(error)"))
        }
    }

    func listNotifications(_ parameters: [String: JSONValue]) async throws -> SlaInterface.ListNotifications.Reply {
        let request: SlaInterface.ListNotifications.Parameters
        do {
            request = try SlaInterface.ListNotifications.Parameters(json: parameters)
        } catch {
            throw VarlinkError.invalidParameter(error.field)
        }
        var states: [NotificationState]?
        if let state = request.state {
            guard let known = NotificationState(rawValue: state) else { throw VarlinkError.invalidParameter("state") }
            states = [known]
        }
        let store = host.store
        let ticket = request.ticket?.precomposedStringWithCanonicalMapping
        let wanted = states
        let read: Result<([StoredNotification], [StoredAcknowledgement]), StoreError> = await offPool {
            Result { () throws(StoreError) in
                let rows = try store.notifications(ticket: ticket, states: wanted)
                var acks: [StoredAcknowledgement] = []
                if let ticket { acks = try store.acknowledgements(ticket: ticket) }
                return (rows, acks)
            }
        }
        guard case .success(let (rows, acks)) = read else {
            throw VarlinkError(SlaInterface.StorageUnavailable(reason: "the state cannot be read"))
        }
        func time(_ ms: Int64?) -> String? { ms.map { Timestamp.format(Instant(secondsSince1970: $0 / 1000)) } }
        return SlaInterface.ListNotifications.Reply(
            notifications: rows.map { row in
                SlaInterface.Notification(
                    id: row.id, ticket: row.ticket, person: row.person, channel: row.channel,
                    purpose: row.purpose.rawValue, round: row.round, state: row.state.rawValue,
                    due: Timestamp.format(row.due), attempts: row.attempts, lastError: row.lastError,
                    done: time(row.doneMilliseconds), late: row.late, follows: row.follows)
            },
            acknowledgements: acks.map { ack in
                SlaInterface.Acknowledgement(
                    ticket: ack.ticket, person: ack.person, actor: Int(ack.actor), note: ack.note,
                    at: Timestamp.format(ack.at), cancelled: ack.cancelled)
            })
    }

    /// The outbox's part of `Status`.
    func notificationCounts() async -> SlaInterface.NotificationCounts? {
        let store = host.store
        let counts = await offPool { try? store.notificationCounts() }
        guard let counts else { return nil }
        let problems = host.notifications.channelProblems
        return SlaInterface.NotificationCounts(
            pending: counts.pending, failed: counts.failed, failingChannels: problems.failing,
            disabledChannels: problems.disabled)
    }
}
