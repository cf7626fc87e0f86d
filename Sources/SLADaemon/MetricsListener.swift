import Foundation
import Logging
import SLAConfig
import SLAHTTP
import SLASystemd
import Synchronization

/// The HTTP listener as the daemon runs it: on the addresses of `http.listen`, and on the socket
/// named `http` that systemd passed (slad-http.socket), kept across reloads.
///
/// An address that cannot be bound at start is reported like a configuration error (file, line and
/// column of the address) and slad goes on without it: the clocks, the journal and the control socket
/// do not depend on the listener. At reload, new addresses are bound before the new configuration is
/// applied, and one that cannot be bound refuses the reload whole.
public final class MetricsListener: Sendable {
    public let listener: HTTPListener
    private let inherited: HTTPEndpoint?
    /// The `http.listen` addresses in force.
    private let configured = Mutex<[HTTPSettings.Address]>([])
    private let serving = Mutex<Task<Void, Never>?>(nil)

    init(listener: HTTPListener, inherited: HTTPEndpoint?) {
        self.listener = listener
        self.inherited = inherited
    }

    /// Makes the listener, binds what the configuration file and systemd name, and serves.
    public static func start(
        configPath: String, metrics: DaemonMetrics, health: DaemonHealth, logger: Logger
    ) async -> MetricsListener {
        var inherited: HTTPEndpoint?
        do {
            if let fd = try ListenDescriptors.http() { inherited = .inherited(fd: fd) }
        } catch {
            logger.error("the socket named http that systemd passed cannot be used: \(error)")
        }
        let listener = HTTPListener(logger: logger, handler: DaemonHTTP.handler(metrics: metrics, health: health))
        let running = MetricsListener(listener: listener, inherited: inherited)
        // A configuration with errors is reported by the engine host, which refuses to start on it.
        let addresses = (try? settings(configPath).get())?.listen ?? []
        let failures = await listener.listen(on: running.endpoints(addresses))
        running.configured.withLock { $0 = addresses }
        for failure in failures {
            logger.error("\(describe(failure, addresses, configPath)); slad serves without it")
        }
        running.serving.withLock { serving in
            serving = Task {
                do { try await listener.run() } catch { logger.error("the HTTP listener stopped: \(error)") }
            }
        }
        return running
    }

    /// What a reload does to the listener, decided before the configuration is applied.
    struct Rebind: Sendable {
        /// Each address that could not be bound, as `file:line:column: sentence`; empty when all were.
        var errors: [String]
        /// Goes back to the addresses before the reload (the configuration was refused after all).
        var revert: @Sendable () async -> Void
    }

    /// Binds the addresses the file names now that are not served yet; on a failure closes what it
    /// bound and reports it. Without a change, addresses that failed before are tried again, and a
    /// failure is only logged: the file is the same one that is running.
    func prepareReload(configPath: String) async -> Rebind? {
        guard case .success(let settings) = Self.settings(configPath) else { return nil }
        let addresses = settings?.listen ?? []
        let before = configured.withLock { $0 }
        let unchanged = Set(addresses) == Set(before)
        let failures = await listener.listen(on: endpoints(addresses), allOrNothing: !unchanged)
        if unchanged {
            return Rebind(errors: [], revert: {})
        }
        guard failures.isEmpty else {
            return Rebind(errors: failures.map { Self.describe($0, addresses, configPath) }, revert: {})
        }
        configured.withLock { $0 = addresses }
        return Rebind(errors: []) { [self] in
            configured.withLock { $0 = before }
            await listener.listen(on: endpoints(before))
        }
    }

    /// Stops accepting and lets the requests in progress finish.
    public func shutdown() {
        listener.shutdown()
    }

    private func endpoints(_ addresses: [HTTPSettings.Address]) -> [HTTPEndpoint] {
        addresses.map { HTTPEndpoint.address(host: $0.host, port: $0.port) } + (inherited.map { [$0] } ?? [])
    }

    private static func settings(_ configPath: String) -> Result<HTTPSettings?, ConfigErrors> {
        guard let data = FileManager.default.contents(atPath: configPath) else { return .success(nil) }
        return ConfigLoader.httpSettings(yaml: String(decoding: data, as: UTF8.self), file: configPath)
    }

    /// `file:line:column: cannot listen on host:port: reason`, at the address in the file.
    private static func describe(_ failure: HTTPBindFailure, _ addresses: [HTTPSettings.Address], _ file: String) -> String {
        guard case .address(let host, let port) = failure.endpoint,
            let address = addresses.first(where: { $0.host == host && $0.port == port })
        else { return failure.description }
        return ConfigDiagnostic(
            file: file, line: address.line, column: address.column,
            message: "cannot listen on \(address.text): \(failure.reason)"
        ).description
    }
}
