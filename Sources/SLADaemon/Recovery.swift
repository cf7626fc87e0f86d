import Foundation
import Logging
import SLAConfig
import SLACore
import SLAReport
import SLAStore
import Synchronization

/// How far recovery has read the log: the service manager is asked for more time only while this
/// moves. Also the way to abandon a recovery that a stop request overtook.
public final class RecoveryProgress: Sendable {
    private let entries = Atomic<UInt64>(0)
    private let abandoned = Atomic<Bool>(false)

    public init() {}

    /// Log entries applied so far.
    public var count: UInt64 { entries.load(ordering: .relaxed) }

    func advance() { entries.add(1, ordering: .relaxed) }

    /// Asks recovery to stop at the next log entry and throw ``RecoveryAbandoned``: a SIGTERM during
    /// a long recovery stops slad without waiting for the rest of the log.
    public func abandon() { abandoned.store(true, ordering: .relaxed) }

    var isAbandoned: Bool { abandoned.load(ordering: .relaxed) }
}

/// Recovery stopped early because slad was asked to stop; nothing was written.
public struct RecoveryAbandoned: Error, CustomStringConvertible {
    public var description: String { "recovery abandoned: slad was asked to stop" }
}

/// Why the daemon cannot start on its state.
public struct RecoveryError: Error, CustomStringConvertible {
    public var description: String
}

/// The engine as slad starts on it: the log applied again, what fell due while slad was down fired
/// (marked late), the configuration file taken into use, and all that committed. What
/// ``EngineHost``'s `init` starts from.
struct RecoveredEngine {
    /// The state, open.
    var store: StateStore
    var machine: SLAMachine
    /// What reports need of the open tickets, rebuilt from the log beside the engine.
    var tracker: OutcomeTracker
    /// Every deadline at or before this instant has fired.
    var firedThrough: Instant
    /// The earliest instant the next event may be applied at.
    var appliedFrom: Instant
    /// The configuration text the engine runs on.
    var configText: String
    /// The instant recovery took as now.
    var now: Instant
    /// What recovery committed (late records, a configuration change), for the record feed.
    var committed: CommitUnit
}

extension RecoveredEngine {
    /// Opens the state once the configuration file loads (a bad file leaves the state untouched),
    /// applies the log again, fires what fell due while slad was down and takes `configPath` into use (logging it
    /// when it changed); commits the outcome.
    static func recover(
        configPath: String, stateDirectory: String, zones: ZoneDatabase, clock: any WallClock,
        progress: RecoveryProgress?, logger: Logger
    ) throws -> RecoveredEngine {
        let (fileText, fileConfiguration, warnings) = try readConfig(configPath, zones: zones)
        logWarnings(warnings, logger: logger)
        let store = try StateStore(directory: stateDirectory)
        logger.info("\(store.path) checked (SQLite's quick check, the schema, the commit count) in \(store.integrityCheck)")
        let replayStarted = ContinuousClock.now
        let recovered = try RecoveredLog.read(store: store, zones: zones, progress: progress, logger: logger)
        let replayTook = ContinuousClock.now - replayStarted
        let now = clock.now()
        var firedThrough = recovered.firedThrough
        var appliedFrom = recovered.appliedFrom
        var unit = CommitUnit(log: [], records: [], firedThrough: nil)
        var records: [TimelineRecord] = []
        var machine: SLAMachine
        var tracker = recovered.tracker
        let configText: String
        if var recoveredMachine = recovered.machine {
            if now > firedThrough {
                tracker.fire(through: now, machine: &recoveredMachine, records: &records) {
                    unit.outcomes.append(StoredOutcome($0))
                }
                unit.records += records.map { StoredRecord(record: $0, late: true) }
                unit.firedThrough = now
                firedThrough = now
                appliedFrom = max(appliedFrom, now + 1)
            }
            let summary =
                "recovered \(recoveredMachine.engine.openTicketCount) open tickets from \(recovered.entries) logged "
                + "entries in \(replayTook); \(records.count) late record(s)"
            logger.log(
                level: records.isEmpty ? .info : .warning,
                "\(summary)",
                metadata: Lifecycle.metadata(
                    SladMessageID.recovery,
                    ["SLAD_LATE_RECORDS": "\(records.count)", "SLAD_OPEN": "\(recoveredMachine.engine.openTicketCount)"]))
            records.removeAll()
            machine = recoveredMachine
            if recovered.configText != fileText || recovered.configPath != configPath {
                let at = max(appliedFrom, now)
                do {
                    var outcomes: [StoredOutcome] = []
                    try tracker.reconfigure(fileConfiguration, at: at, machine: &machine, records: &records) {
                        outcomes.append(StoredOutcome($0))
                    }
                    unit.outcomes += outcomes
                    unit.log.append(.configuration(ConfigurationChange(seq: 0, at: at, path: configPath, text: fileText)))
                    unit.records += records.map { StoredRecord(record: $0, late: false) }
                    appliedFrom = at
                    configText = fileText
                } catch {
                    // The file names agreements open tickets still need: keep the configuration they run on.
                    logger.error(
                        "\(configPath) cannot take over the open tickets; running on the configuration in the state",
                        metadata: ["problems": "\(error.problems)"])
                    configText = recovered.configText ?? fileText
                }
            } else {
                configText = fileText
            }
        } else {
            machine = SLAMachine(configuration: fileConfiguration)
            let at = max(appliedFrom, now)
            unit.log.append(.configuration(ConfigurationChange(seq: 0, at: at, path: configPath, text: fileText)))
            appliedFrom = at
            configText = fileText
        }
        if !unit.log.isEmpty || !unit.records.isEmpty || unit.firedThrough != nil || !unit.outcomes.isEmpty {
            // Late records notify too (and say they are late): in the transaction that stores them.
            NotificationRouter(configuration: machine.engine.configuration, overrides: try store.overrides())
                .route(&unit, engine: machine.engine, store: store, now: now)
            try store.commit([unit])
        }
        return RecoveredEngine(
            store: store, machine: machine, tracker: tracker, firedThrough: firedThrough, appliedFrom: appliedFrom,
            configText: configText, now: now,
            committed: unit)
    }

    /// The configuration file's text, what it loads as and its warnings, from one read of the file.
    static func readConfig(
        _ path: String, zones: ZoneDatabase
    ) throws(ConfigErrors) -> (String, Configuration, [ConfigDiagnostic]) {
        let text = try ConfigLoader.readText(path: path).get()
        let check = ConfigLoader.check(yaml: text, file: path, zones: zones)
        let configuration = try check.result.get()
        // Webhook secrets are read by slad itself (check-config may run elsewhere, as another user):
        // one it cannot read refuses the start or the reload like a mistake in the file.
        let secrets = NotificationSecrets.problems(configuration.notifications)
        guard secrets.isEmpty else { throw ConfigErrors(diagnostics: secrets) }
        return (text, configuration, check.warnings)
    }

    /// The configuration's warnings (OLA fit) in the journal, one entry each: they stop nothing.
    static func logWarnings(_ warnings: [ConfigDiagnostic], logger: Logger) {
        for warning in warnings {
            logger.warning("\(warning)", metadata: ["SLAD_CONFIG_WARNING": "\(warning.message)"])
        }
    }
}

/// The engine as the state's log leaves it, before slad looks at the clock.
struct RecoveredLog {
    var machine: SLAMachine?
    /// Fed the log beside the engine; the facts it emits were stored when they happened.
    var tracker = OutcomeTracker()
    var firedThrough = Instant(secondsSince1970: 0)
    var appliedFrom = Instant(secondsSince1970: 0)
    var configText: String?
    var configPath: String?
    var entries = 0
}

extension RecoveredLog {
    /// The engine as the log leaves it, with every deadline up to the last committed firing fired.
    static func read(
        store: StateStore, zones: ZoneDatabase, progress: RecoveryProgress?, logger: Logger
    ) throws -> RecoveredLog {
        var recovered = RecoveredLog()
        var discard: [TimelineRecord] = []
        try store.readLog(openLivesOnly: true) { entry in
            if progress?.isAbandoned == true { throw RecoveryAbandoned() }
            switch entry {
            case .configuration(let change):
                let configuration: Configuration
                switch ConfigLoader.parse(yaml: change.text, file: change.path, zones: zones) {
                case .success(let loaded): configuration = loaded
                case .failure(let errors):
                    throw RecoveryError(
                        description: "the configuration logged at \(change.at) no longer loads:\n\(errors)")
                }
                if recovered.machine == nil {
                    recovered.machine = SLAMachine(configuration: configuration)
                } else {
                    try recovered.tracker.reconfigure(
                        configuration, at: change.at, machine: &recovered.machine!, records: &discard) { _ in }
                }
                recovered.configText = change.text
                recovered.configPath = change.path
                recovered.appliedFrom = max(recovered.appliedFrom, change.at)
            case .event(let stored):
                guard recovered.machine != nil else {
                    throw RecoveryError(description: "the state's log starts with an event, not a configuration")
                }
                do {
                    try recovered.tracker.apply(
                        stored.event, at: stored.at, machine: &recovered.machine!, records: &discard) { _ in }
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
            recovered.tracker.fire(through: firedThrough, machine: &recovered.machine!, records: &discard) { _ in }
            recovered.firedThrough = firedThrough
            recovered.appliedFrom = max(recovered.appliedFrom, firedThrough + 1)
        }
        return recovered
    }
}
