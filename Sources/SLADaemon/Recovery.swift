import Foundation
import Logging
import SLAConfig
import SLACore
import SLAStore

/// How far recovery has read the log: the service manager is asked for more time only while this moves.
public final class RecoveryProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: UInt64 = 0

    public init() {}

    /// Log entries applied so far.
    public var count: UInt64 { lock.withLock { entries } }

    func advance() { lock.withLock { entries += 1 } }
}

/// Why the daemon cannot start on its state.
public struct RecoveryError: Error, CustomStringConvertible {
    public var description: String
}

/// The engine as the state's log leaves it, for ``EngineHost`` to start from.
struct Recovered {
    var machine: SLAMachine?
    var firedThrough = Instant(secondsSince1970: 0)
    var appliedFrom = Instant(secondsSince1970: 0)
    var configText: String?
    var configPath: String?
    var entries = 0
}

extension Recovered {
    /// The engine as the log leaves it, with every deadline up to the last committed firing fired.
    static func read(store: StateStore, progress: RecoveryProgress?, logger: Logger) throws -> Recovered {
        var recovered = Recovered()
        var discard: [TimelineRecord] = []
        try store.readLog { entry in
            switch entry {
            case .configuration(let change):
                let configuration: Configuration
                switch ConfigLoader.parse(yaml: change.text, file: change.path) {
                case .success(let loaded): configuration = loaded
                case .failure(let errors):
                    throw RecoveryError(
                        description: "the configuration logged at \(change.at) no longer loads:\n\(errors)")
                }
                if recovered.machine == nil {
                    recovered.machine = SLAMachine(configuration: configuration)
                } else {
                    try recovered.machine!.reconfigure(configuration, at: change.at, records: &discard)
                }
                recovered.configText = change.text
                recovered.configPath = change.path
                recovered.appliedFrom = max(recovered.appliedFrom, change.at)
            case .event(let stored):
                guard recovered.machine != nil else {
                    throw RecoveryError(description: "the state's log starts with an event, not a configuration")
                }
                do {
                    try recovered.machine!.apply(stored.event, at: stored.at, records: &discard)
                } catch {
                    // Accepted once, so refused now only if the log was tampered with: say so and go on.
                    logger.error("logged event \(stored.seq) no longer applies: \(error)")
                }
                recovered.appliedFrom = max(recovered.appliedFrom, stored.at)
            }
            discard.removeAll(keepingCapacity: true)
            recovered.entries += 1
            progress?.advance()
        }
        if let firedThrough = try store.firedThrough(), recovered.machine != nil {
            recovered.machine!.fire(through: firedThrough, records: &discard)
            recovered.firedThrough = firedThrough
            recovered.appliedFrom = max(recovered.appliedFrom, firedThrough + 1)
        }
        return recovered
    }
}
