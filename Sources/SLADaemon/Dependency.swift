import ServiceLifecycle
import Synchronization

/// A value one Service makes and others wait for: the recovered engine, the served socket.
///
/// Services of a group start together; one that needs another's value waits here, so that the
/// group's order is the order of the dependencies. Set once; later sets are ignored.
final class Dependency<Value: Sendable>: Sendable {
    private enum State {
        case waiting([Int: CheckedContinuation<Value, any Error>], next: Int)
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.waiting([:], next: 0))

    /// Hands `result` to every waiter, present and future.
    func resolve(_ result: Result<Value, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>] in
            guard case .waiting(let waiters, _) = state else { return [] }
            state = .done(result)
            return Array(waiters.values)
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    /// The value; throws what the maker failed with, or `CancellationError` when the task is cancelled.
    func value() async throws -> Value {
        let id = state.withLock { state -> Int? in
            guard case .waiting(let waiters, let next) = state else { return nil }
            state = .waiting(waiters, next: next + 1)
            return next
        }
        guard let id else { return try current!.get() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let resumeNow = state.withLock { state -> Result<Value, any Error>? in
                    switch state {
                    case .done(let result): return result
                    case .waiting(var waiters, let next):
                        if Task.isCancelled { return .failure(CancellationError()) }
                        waiters[id] = continuation
                        state = .waiting(waiters, next: next)
                        return nil
                    }
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Value, any Error>? in
                guard case .waiting(var waiters, let next) = state else { return nil }
                let waiter = waiters.removeValue(forKey: id)
                state = .waiting(waiters, next: next)
                return waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }

    private var current: Result<Value, any Error>? {
        state.withLock { state in
            if case .done(let result) = state { return result }
            return nil
        }
    }

    /// The value, or nil when the group stops first or the maker failed; then returns only once the
    /// group stops this Service: a Service of a group may end only when told to (the group takes an
    /// early end for a failure).
    func valueOrStop() async -> Value? {
        do {
            return try await cancelWhenGracefulShutdown { try await self.value() }
        } catch {
            try? await gracefulShutdown()
            return nil
        }
    }
}
