import Foundation
import SLACore
import Testing

@testable import SLAStore

/// A fresh directory under the system's temporary directory, removed after `body`.
func withTemporaryDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("slad-store-test-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A store on a real SQLite file in a fresh directory; `body` also gets the directory, to reopen it.
func withStore<T>(_ body: (StateStore, String) throws -> T) throws -> T {
    try withTemporaryDirectory { directory in
        let store = try StateStore(directory: directory)
        return try body(store, directory)
    }
}

/// 2026-03-02T08:00:00Z plus `seconds`.
func instant(_ seconds: Int64 = 0) -> Instant {
    Instant(secondsSince1970: 1_772_438_400 + seconds)
}

/// An event on `ticket` as the daemon would log it.
func storedEvent(_ ticket: String, _ change: TicketChange = .respond, at seconds: Int64 = 0) -> StoredEvent {
    StoredEvent(
        at: instant(seconds), requestedAt: instant(seconds - 5), received: instant(seconds + 1), actor: 1000,
        event: TicketEvent(ticket: ticket, change: change))
}

/// A due record for `ticket`.
func dueRecord(_ ticket: String, at seconds: Int64 = 0, late: Bool = false) -> StoredRecord {
    let kind = TimelineRecord.Kind.due(.resolution, agreement: "gold", due: instant(seconds + 3600))
    return StoredRecord(record: TimelineRecord(at: instant(seconds), ticket: ticket, kind: kind), late: late)
}

/// A unit holding one event on `ticket` and one record for it.
func unit(_ ticket: String, at seconds: Int64 = 0) -> CommitUnit {
    CommitUnit(log: [.event(storedEvent(ticket, at: seconds))], records: [dueRecord(ticket, at: seconds)])
}

/// The whole log after `seq`, in the order readLog gives it.
func entireLog(_ store: StateStore, after seq: Int64 = 0) throws -> [LogEntry] {
    var entries: [LogEntry] = []
    try store.readLog(after: seq) { entries.append($0) }
    return entries
}

/// The ticket of each event in the log, in log order (configuration changes left out).
func ticketsInLog(_ store: StateStore) throws -> [String] {
    try entireLog(store).compactMap { entry in
        if case .event(let event) = entry { return event.event.ticket }
        return nil
    }
}

/// A lock-protected value for tests that collect from several threads.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    var current: Value { withLock { $0 } }
}
