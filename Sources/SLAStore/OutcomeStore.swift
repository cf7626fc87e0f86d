import GRDB
import SLACore

/// One outcome a report counts, as stored: a compact row the daemon writes in the same transaction
/// as the event or firing it came from (`outcome`, migration v9-report-outcomes).
///
/// The store does not read the columns: SLAReport's `ReportFact` says what `kind`, `x`, `y` and `z`
/// mean; the daemon converts.
public struct StoredOutcome: Sendable, Equatable {
    public var at: Instant
    public var ticket: String
    public var kind: Int
    public var x: Int64
    public var y: Int64
    public var z: Int64
    public var agreement: String
    public var priority: String
    public var customer: String
    public var service: String
    public var line: Int

    public init(
        at: Instant, ticket: String, kind: Int, x: Int64, y: Int64, z: Int64, agreement: String, priority: String,
        customer: String, service: String, line: Int
    ) {
        self.at = at
        self.ticket = ticket
        self.kind = kind
        self.x = x
        self.y = y
        self.z = z
        self.agreement = agreement
        self.priority = priority
        self.customer = customer
        self.service = service
        self.line = line
    }

    static let columns = "at, ticket, kind, x, y, z, agreement, priority, customer, service, line"

    func bind(to statement: Statement) {
        statement.setUncheckedArguments([
            at.secondsSince1970, ticket, kind, x, y, z, agreement, priority, customer, service, line,
        ])
    }

    init(row: Row) {
        self.init(
            at: Instant(secondsSince1970: row[0]), ticket: row[1], kind: row[2], x: row[3], y: row[4], z: row[5],
            agreement: row[6], priority: row[7], customer: row[8], service: row[9], line: row[10])
    }
}

extension StateStore {
    /// Inserts the units' outcomes in the current transaction.
    static func appendOutcomes(_ units: [CommitUnit], to db: Database) throws {
        guard units.contains(where: { !$0.outcomes.isEmpty }) else { return }
        let insert = try db.cachedStatement(
            sql: "INSERT INTO outcome (\(StoredOutcome.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        for unit in units {
            for outcome in unit.outcomes {
                outcome.bind(to: insert)
                try insert.execute()
            }
        }
    }

    /// Calls `body` with every stored outcome in the order it was written (which is time order),
    /// from one snapshot, row by row: a report of millions of outcomes holds one at a time.
    public func outcomes(_ body: (StoredOutcome) throws -> Void) throws(StoreError) {
        do {
            try readOnly { db in
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT \(StoredOutcome.columns) FROM outcome ORDER BY seq")
                while let row = try rows.next() { try body(StoredOutcome(row: row)) }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The instants of the first and the last stored outcome; nil when there is none.
    public func outcomeSpan() throws(StoreError) -> (first: Instant, last: Instant)? {
        do {
            return try readOnly { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT min(at), max(at) FROM outcome"),
                    let first = row[0] as Int64?, let last = row[1] as Int64?
                else { return nil }
                return (Instant(secondsSince1970: first), Instant(secondsSince1970: last))
            }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }

    /// The number of stored outcomes.
    public func outcomeCount() throws(StoreError) -> Int {
        do {
            return try readOnly { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outcome") ?? 0 }
        } catch {
            throw StoreError.converting(error, path: path)
        }
    }
}
