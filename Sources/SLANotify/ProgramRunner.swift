import SLACore
import Subprocess

/// Runs a sendmail or exec channel's program: the payload on standard input, killed after the
/// timeout. swift-subprocess closes every descriptor above 2 in the child (close_range), so the
/// sockets slad holds (NIO's accepted ones lack FD_CLOEXEC) never leak into the program.
public enum ProgramRunner {
    /// Exit 0 is delivered, 75 (EX_TEMPFAIL) temporary, a timeout temporary (with the same id next
    /// time: the program may have acted), anything else permanent.
    public static func run(
        _ argv: [String], input: [UInt8], environment: [String: String], timeout: Int64
    ) async -> DeliveryOutcome {
        guard let program = argv.first else { return .permanent("no program") }
        var table: [Environment.Key: String?] = [:]
        for (key, value) in environment { table[Environment.Key(stringLiteral: key)] = value }
        let updates = table
        do {
            return try await withThrowingTaskGroup(of: DeliveryOutcome.self) { group in
                group.addTask {
                    let result = try await Subprocess.run(
                        .path(.init(stringLiteral: program)), arguments: Arguments(Array(argv.dropFirst())),
                        environment: .inherit.updating(updates), input: .array(input), output: .discarded,
                        error: .string(limit: 2048))
                    let detail = result.standardError.split(separator: "\n").last.map { ": \($0)" } ?? ""
                    switch result.terminationStatus {
                    case .exited(0): return .delivered
                    case .exited(75): return .temporary("\(program) exited 75 (EX_TEMPFAIL)\(detail)")
                    case .exited(let code): return .permanent("\(program) exited \(code)\(detail)")
                    case .signaled(let signal): return .temporary("\(program) was killed by signal \(signal)")
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(timeout))
                    return .temporary("\(program) did not finish within \(timeout) s and was killed")
                }
                let first = try await group.next() ?? .temporary("no outcome")
                // Cancelling the run tears the child down (ending with SIGKILL).
                group.cancelAll()
                return first
            }
        } catch {
            return .temporary("\(program) could not be run: \(error)")
        }
    }
}
