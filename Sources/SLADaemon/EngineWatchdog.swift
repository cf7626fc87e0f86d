/// The service manager's watchdog, pinged from the engine's timer loop.
public struct EngineWatchdog: Sendable {
    /// Time between pings: half of `WatchdogSec=`.
    public var pingInterval: Duration
    public var ping: @Sendable () -> Void

    public init(pingInterval: Duration, ping: @escaping @Sendable () -> Void) {
        self.pingInterval = pingInterval
        self.ping = ping
    }
}
