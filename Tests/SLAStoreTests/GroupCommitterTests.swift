import Dispatch
import Foundation
import SLACore
import Testing

@testable import SLAStore

@Suite("Group commit")
struct GroupCommitterTests {
    /// The ticket of a unit made by ``unit(_:at:)``: what the tests identify units by.
    static func ticket(_ unit: CommitUnit) -> String {
        guard case .event(let event)? = unit.log.first else { return "?" }
        return event.event.ticket
    }

    @Test("under concurrent submitters, commits and completions follow submission order, each completion once")
    func concurrentSubmitters() throws {
        let submitters = 8
        let unitsEach = 40
        try withStore { store, _ throws in
            let submitted = Locked<[String]>([])
            let completed = Locked<[String]>([])
            let failures = Locked<[StoreError]>([])
            let batches = Locked<[[String]]>([])
            let seqs = Locked<[Int64]>([])
            let notYetCompleted = Locked<[String]>([])
            let committer = GroupCommitter(store: store) { units in
                let tickets = units.map(Self.ticket)
                let done = Set(completed.current)
                notYetCompleted.withLock { $0 += tickets.filter { !done.contains($0) } }
                batches.withLock { $0.append(tickets) }
                seqs.withLock { $0 += units.flatMap(\.log).map(\.seq) }
            }
            DispatchQueue.concurrentPerform(iterations: submitters) { submitter in
                for index in 0..<unitsEach {
                    let ticket = "T-\(submitter)-\(index)"
                    // The lock makes the order of the submit calls observable; the writer never takes it.
                    submitted.withLock { order in
                        order.append(ticket)
                        committer.submit(unit(ticket)) { result in
                            completed.withLock { $0.append(ticket) }
                            if case .failure(let error) = result { failures.withLock { $0.append(error) } }
                        }
                    }
                }
            }
            committer.drain()
            // drain() returned: every completion has run, without waiting any longer.
            let order = submitted.current
            #expect(order.count == submitters * unitsEach)
            #expect(completed.current == order)
            #expect(failures.current.isEmpty)
            #expect(batches.current.flatMap { $0 } == order)
            #expect(notYetCompleted.current.isEmpty, "onCommitted ran before the units' completions")
            #expect(seqs.current == (1...Int64(order.count)).map { $0 })
            #expect(try ticketsInLog(store) == order)
            #expect(try store.counts() == (order.count, order.count))
            committer.close()
            #expect(completed.current.count == order.count)
        }
    }

    @Test("units queued while a transaction commits go together into the next one")
    func batching() throws {
        try withStore { store, _ throws in
            let entered = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let batches = Locked<[[String]]>([])
            let committer = GroupCommitter(store: store) { units in
                let first = batches.withLock { batches in
                    batches.append(units.map(Self.ticket))
                    return batches.count == 1
                }
                if first {
                    entered.signal()
                    release.wait()  // holds the writer, so the next units queue up
                }
            }
            committer.submit(unit("first")) { _ in }
            entered.wait()
            let queued = (0..<10).map { "queued-\($0)" }
            for ticket in queued { committer.submit(unit(ticket)) { _ in } }
            release.signal()
            committer.drain()
            #expect(batches.current == [["first"], queued])
            committer.close()
        }
    }

    @Test("a failed transaction fails all its units with the error; later units are still committed")
    func failure() throws {
        try withStore { store, _ throws in
            let entered = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let batches = Locked<[[String]]>([])
            let results = Locked<[(String, Result<Void, StoreError>)]>([])
            let committer = GroupCommitter(store: store) { units in
                let first = batches.withLock { batches in
                    batches.append(units.map(Self.ticket))
                    return batches.count == 1
                }
                if first {
                    entered.signal()
                    release.wait()
                }
            }
            func submit(_ ticket: String, _ unit: CommitUnit) {
                committer.submit(unit) { result in results.withLock { $0.append((ticket, result)) } }
            }
            submit("ok-1", unit("ok-1"))
            entered.wait()
            // These three queue behind the held writer and go into one transaction, which the empty
            // ticket makes fail.
            submit("innocent-1", unit("innocent-1"))
            submit("refused", CommitUnit(log: [.event(storedEvent(""))]))
            submit("innocent-2", unit("innocent-2"))
            release.signal()
            committer.drain()
            submit("ok-2", unit("ok-2"))
            committer.drain()

            let outcome = results.current
            #expect(outcome.map(\.0) == ["ok-1", "innocent-1", "refused", "innocent-2", "ok-2"])
            let errors = outcome.map { result -> StoreError? in
                if case .failure(let error) = result.1 { return error }
                return nil
            }
            #expect(errors[0] == nil)
            #expect(errors[4] == nil)
            for error in errors[1...3] {
                guard case .sqlite(store.path, 275, _)? = error else {
                    Issue.record("expected the CHECK failure of the batch, got \(String(describing: error))")
                    continue
                }
            }
            #expect(batches.current == [["ok-1"], ["ok-2"]])
            #expect(try ticketsInLog(store) == ["ok-1", "ok-2"])
            #expect(try entireLog(store).map(\.seq) == [1, 2])
            committer.close()
        }
    }

    @Test("close commits what is queued, then refuses new units at once")
    func close() throws {
        try withStore { store, _ throws in
            let entered = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            let calls = Locked(0)
            let committer = GroupCommitter(store: store) { _ in
                let first = calls.withLock { calls in
                    calls += 1
                    return calls == 1
                }
                if first {
                    entered.signal()
                    release.wait()
                }
            }
            let results = Locked<[String: Result<Void, StoreError>]>([:])
            func submit(_ ticket: String) {
                committer.submit(unit(ticket)) { result in results.withLock { $0[ticket] = result } }
            }
            submit("A")
            entered.wait()
            for ticket in ["B", "C", "D"] { submit(ticket) }
            // Let the writer go on only after close() has started waiting, so close must commit the queue.
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(50)) { release.signal() }
            committer.close()
            #expect(try ticketsInLog(store) == ["A", "B", "C", "D"])
            let outcomes = results.current
            #expect(outcomes.count == 4)
            for (ticket, result) in outcomes {
                if case .failure(let error) = result { Issue.record("\(ticket) failed: \(error)") }
            }

            submit("E")  // completes on this thread, before submit returns
            guard case .failure(.closed(store.path))? = results.current["E"] else {
                Issue.record("a unit after close completed with \(String(describing: results.current["E"]))")
                return
            }
            #expect(try ticketsInLog(store) == ["A", "B", "C", "D"])
            committer.close()  // a second close does nothing
        }
    }

    @Test("dropping the last reference still commits what is queued, without blocking")
    func dropped() throws {
        try withStore { store, _ throws in
            let completed = DispatchGroup()
            let failures = Locked<[StoreError]>([])
            do {
                let committer = GroupCommitter(store: store) { _ in }
                for ticket in ["A", "B", "C"] {
                    completed.enter()
                    committer.submit(unit(ticket)) { result in
                        if case .failure(let error) = result { failures.withLock { $0.append(error) } }
                        completed.leave()
                    }
                }
            }
            #expect(completed.wait(timeout: .now() + 60) == .success)
            #expect(failures.current.isEmpty)
            #expect(try ticketsInLog(store) == ["A", "B", "C"])
        }
    }
}
