import Foundation
import GRDB
import SLACore

/// An on-call override as the state keeps it: who asked for it and when.
public struct StoredOverride: Sendable, Equatable {
    public var override: OnCallOverride
    /// The uid of the client that added it.
    public var actor: UInt32
    public var created: Instant

    public init(override: OnCallOverride, actor: UInt32, created: Instant) {
        self.override = override
        self.actor = actor
        self.created = created
    }
}

extension StateStore {
    /// Adds an override in one transaction, synced before it returns (as a commit of events is), and
    /// counted in the commit sequence so a lost override is detected like a lost event.
    /// - Returns: the override with its id, `ov-` and its row's seq.
    public func addOverride(
        team: String, person: String, start: Instant, end: Instant, actor: UInt32, at now: Instant
    ) throws(StoreError) -> StoredOverride {
        let seq: Int64 = try countedWrite { db in
            try db.execute(
                sql: """
                    INSERT INTO oncall_override (team, person, start_at, end_at, actor, created)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    team, person, start.secondsSince1970, end.secondsSince1970, Int64(actor), now.secondsSince1970,
                ])
            return db.lastInsertedRowID
        }
        return StoredOverride(
            override: OnCallOverride(id: "ov-\(seq)", team: team, person: person, start: start, end: end),
            actor: actor, created: now)
    }

    /// Removes the override with this id; false when there is none.
    public func removeOverride(id: String) throws(StoreError) -> Bool {
        guard id.hasPrefix("ov-"), let seq = Int64(id.dropFirst(3)), seq > 0 else { return false }
        return try countedWrite { db in
            try db.execute(sql: "DELETE FROM oncall_override WHERE seq = ?", arguments: [seq])
            return db.changesCount > 0
        }
    }

    /// Every override, oldest first: the order in which a newer one wins.
    public func overrides() throws(StoreError) -> [StoredOverride] {
        do {
            return try readOnly { db in
                try Row.fetchAll(
                    db,
                    sql: "SELECT seq, team, person, start_at, end_at, actor, created FROM oncall_override ORDER BY seq"
                ).map { row in
                    StoredOverride(
                        override: OnCallOverride(
                            id: "ov-\(row[0] as Int64)", team: row[1], person: row[2],
                            start: Instant(secondsSince1970: row[3]), end: Instant(secondsSince1970: row[4])),
                        actor: UInt32(row[5] as Int64), created: Instant(secondsSince1970: row[6]))
                }
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }
}
