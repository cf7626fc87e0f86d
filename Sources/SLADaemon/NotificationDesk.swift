import Foundation
import SLAConfig
import SLACore
import SLANotify
import Synchronization

/// What the engine, the control socket and the delivery worker share about notifications: the
/// configuration in force (channels, people, lines, the webhook secrets), the channels' health, and
/// the worker's wake-up call. The outbox itself is the store.
public final class NotificationDesk: Sendable {
    struct Settings: Sendable {
        var policy = NotificationPolicy()
        var people: [String: OnCallPerson] = [:]
        var lines: [SupportLine] = []
        /// Signing keys of webhook channels with a `secret_file`, by channel.
        var keys: [String: [UInt8]] = [:]
    }

    struct Health: Sendable {
        /// Failed attempts in a row, by channel; a success resets it.
        var failuresInARow: [String: Int] = [:]
        /// Channels whose endpoint answered 410 Gone: disabled until a reload.
        var disabled: Set<String> = []
    }

    private let settings = Mutex(Settings())
    private let health = Mutex(Health())
    private let wakeup = Wakeup()

    /// Failed attempts in a row after which `Status` names a channel.
    public static let failingThreshold = 20

    public init() {}

    var current: Settings { settings.withLock { $0 } }

    /// Takes a configuration into use (start, reload): its channels, people and secrets; a reload
    /// enables channels disabled by a 410 again.
    func configure(_ configuration: Configuration) {
        var next = Settings()
        next.policy = configuration.notifications
        next.lines = configuration.lines
        for person in configuration.people { next.people[person.id] = person }
        for channel in configuration.notifications.channels {
            guard case .webhook(_, _, let secretFile?) = channel.kind,
                case .success(let key) = NotificationSecrets.key(secretFile)
            else { continue }
            next.keys[channel.name] = key
        }
        settings.withLock { $0 = next }
        health.withLock { $0.disabled.removeAll() }
        wake()
    }

    /// Something is due now (a commit with notifications, an attempt ended): the worker looks again.
    public func wake() { wakeup.signal() }

    /// Waits for ``wake()`` or `timeout`, whichever comes first.
    func wait(upTo timeout: Duration) async { await wakeup.wait(upTo: timeout) }

    func isDisabled(_ channel: String) -> Bool { health.withLock { $0.disabled.contains(channel) } }

    /// Counts the attempt for its channel's health.
    func noteAttempt(_ channel: String, _ outcome: DeliveryOutcome) {
        health.withLock { health in
            switch outcome {
            case .delivered: health.failuresInARow[channel] = 0
            case .gone:
                health.disabled.insert(channel)
                health.failuresInARow[channel, default: 0] += 1
            case .temporary, .permanent: health.failuresInARow[channel, default: 0] += 1
            }
        }
    }

    /// Channels failing at least ``failingThreshold`` times in a row, and channels disabled.
    public var channelProblems: (failing: [String], disabled: [String]) {
        health.withLock { health in
            (
                health.failuresInARow.filter { $0.value >= Self.failingThreshold }.map(\.key).sorted(),
                health.disabled.sorted()
            )
        }
    }
}

/// Reads webhook secrets; a file that cannot be read is reported like a configuration error (at the
/// channel's place in the file) at start and at reload, never a crash.
enum NotificationSecrets {
    struct Problem: Error {
        var reason: String
    }

    static func key(_ path: String) -> Result<[UInt8], Problem> {
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(
                Problem(
                    reason: "the secret_file \(path) cannot be read; check that it exists and slad's user may read it"))
        }
        guard let text = String(data: data, encoding: .utf8), let key = StandardWebhooks.key(fromSecret: text) else {
            return .failure(
                Problem(reason: "the secret_file \(path) holds no Standard Webhooks secret (whsec_ and base64)"))
        }
        return .success(key)
    }

    /// Every channel whose secret cannot be used, as `file:line:column: sentence`.
    static func problems(_ policy: NotificationPolicy) -> [ConfigDiagnostic] {
        policy.channels.compactMap { channel -> ConfigDiagnostic? in
            guard case .webhook(_, _, let path?) = channel.kind, case .failure(let problem) = key(path) else {
                return nil
            }
            let parts = channel.origin.split(separator: ":")
            let line = parts.count >= 3 ? Int(parts[parts.count - 2]) ?? 1 : 1
            let column = parts.count >= 3 ? Int(parts[parts.count - 1]) ?? 1 : 1
            let file = parts.count >= 3 ? parts.dropLast(2).joined(separator: ":") : channel.origin
            return ConfigDiagnostic(
                file: file, line: line, column: column, message: "channel \"\(channel.name)\": " + problem.reason)
        }
    }
}

/// A wake-up call for one waiter: a signal while nobody waits is kept for the next wait.
final class Wakeup: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        var generation: UInt64 = 0
        var pending = false
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    func wait(upTo timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let generation = state.withLock { state -> UInt64? in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.generation &+= 1
                state.waiter = continuation
                return state.generation
            }
            guard let generation else { return continuation.resume() }
            Task { [self] in
                try? await Task.sleep(for: timeout)
                let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                    guard state.generation == generation, let waiter = state.waiter else { return nil }
                    state.waiter = nil
                    return waiter
                }
                waiter?.resume()
            }
        }
    }
}
