import Foundation
import Logging
import SLAConfig
import SLAHTTP
import SLASystemd
import ServiceLifecycle
import Synchronization

/// The HTTP listener as the daemon runs it: on the addresses of `http.listen`, and on the socket
/// named `http` that systemd passed (slad-http.socket), kept across reloads.
///
/// An address that cannot be bound at start is reported like a configuration error (file, line and
/// column of the address) and slad goes on without it: the clocks, the journal and the control socket
/// do not depend on the listener. At reload, new addresses are bound before the new configuration is
/// applied, and one that cannot be bound refuses the reload whole.
///
/// A `Service` of the daemon's group, placed before the engine: it binds at once, so `/healthz`
/// answers 503 while the engine recovers, and it stops after the engine, answering 503 while slad
/// commits what was accepted.
public final class MetricsListener: Service, CustomStringConvertible {
    public let listener: HTTPListener
    private let configPath: String
    private let metrics: DaemonMetrics
    private let logger: Logger
    private let engine: EngineService?
    private let inherited = Mutex<HTTPEndpoint?>(nil)
    /// The `http.listen` addresses in force.
    private let configured = Mutex<[HTTPSettings.Address]>([])

    public var description: String { "HTTP listener" }

    init(configPath: String, metrics: DaemonMetrics, health: DaemonHealth, engine: EngineService?, logger: Logger) {
        self.configPath = configPath
        self.metrics = metrics
        self.logger = logger
        self.engine = engine
        listener = HTTPListener(logger: logger, handler: DaemonHTTP.handler(metrics: metrics, health: health))
    }

    /// Binds what the configuration file and systemd name, serves until the stop, and gives the
    /// metrics the engine once it runs.
    public func run() async throws {
        await bindAtStart()
        let attach = Task { [engine, metrics, configPath] in
            guard let host = await engine?.host.valueOrStop() else { return }
            metrics.attach(host: host)
            metrics.noteLoaded(configPath: configPath)
        }
        defer { attach.cancel() }
        try await listener.run()
    }

    /// Binds the addresses of the file and the socket systemd passed; a failure is logged at its
    /// place in the file, and slad goes on without that address.
    func bindAtStart() async {
        do {
            if let fd = try ListenDescriptors.http() { inherited.withLock { $0 = .inherited(fd: fd) } }
        } catch {
            logger.error("the socket named http that systemd passed cannot be used: \(error)")
        }
        // A configuration with errors is reported by the engine, which refuses to start on it.
        let addresses = (try? Self.settings(configPath).get())?.listen ?? []
        let failures = await listener.listen(on: endpoints(addresses))
        configured.withLock { $0 = addresses }
        for failure in failures {
            logger.error("\(Self.describe(failure, addresses, configPath)); slad serves without it")
        }
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

    private func endpoints(_ addresses: [HTTPSettings.Address]) -> [HTTPEndpoint] {
        addresses.map { HTTPEndpoint.address(host: $0.host, port: $0.port) } + (inherited.withLock { $0 }.map { [$0] } ?? [])
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

/// `/healthz`'s view of the group: ready once the control socket serves, stopping from the first
/// moment of a stop. Just before the service manager's link, so it is among the first to stop.
struct HealthService: Service, CustomStringConvertible {
    let health: DaemonHealth
    let socket: ControlSocketService

    var description: String { "health" }

    func run() async throws {
        if await socket.serving.valueOrStop() != nil {
            health.ready()
            try? await gracefulShutdown()
        }
        health.stopping()
    }
}
