import Foundation

/// Runs blocking code (a socket read, a process wait) on a thread of its own and awaits its result.
///
/// On the cooperative pool, which has as many threads as cores (two on the CI machine), a blocking
/// call starves the very server the test talks to.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
