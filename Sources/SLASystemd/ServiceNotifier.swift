import CSystemd
import Foundation

/// The service manager's notification protocol (sd_notify(3)): READY, STATUS, RELOADING, STOPPING,
/// EXTEND_TIMEOUT_USEC and the watchdog.
///
/// Without `$NOTIFY_SOCKET` every call does nothing, so slad behaves the same run by hand. The
/// variable is left in place (`unset_environment` 0): slad notifies for as long as it runs.
public struct ServiceNotifier: Sendable {
    /// Whether a service manager listens (`$NOTIFY_SOCKET` is set).
    public let isActive: Bool
    /// The watchdog interval systemd expects pings within, when it set one for this process.
    public let watchdogInterval: Duration?
    /// Where notifications go instead of `$NOTIFY_SOCKET`, for tests of what is sent when.
    private let sender: (@Sendable (String) throws(SystemdError) -> Void)?

    /// Sends every notification to `sender` (tests): a manager that listens, without a watchdog.
    public init(sender: @escaping @Sendable (String) throws(SystemdError) -> Void) {
        isActive = true
        watchdogInterval = nil
        self.sender = sender
    }

    /// Reads `$NOTIFY_SOCKET` and, through `sd_watchdog_enabled`, `$WATCHDOG_USEC`/`$WATCHDOG_PID`.
    /// A malformed watchdog setting is thrown with its errno rather than ignored.
    public init() throws(SystemdError) {
        isActive = getenv("NOTIFY_SOCKET") != nil
        sender = nil
        var usec: UInt64 = 0
        let enabled = sd_watchdog_enabled(0, &usec)
        if enabled < 0 { throw SystemdError(call: "sd_watchdog_enabled", returned: enabled, context: "WATCHDOG_USEC") }
        watchdogInterval = enabled > 0 && usec > 0 ? .microseconds(Int64(clamping: usec)) : nil
    }

    /// Sends `state` (newline-separated `KEY=value` assignments). Nothing when no manager listens.
    public func notify(_ state: String) throws(SystemdError) {
        guard isActive else { return }
        if let sender { return try sender(state) }
        let result = sd_notify(0, state)
        if result < 0 { throw SystemdError(call: "sd_notify", returned: result, context: state) }
    }

    /// `READY=1`, with a status line.
    public func ready(status: String) throws(SystemdError) {
        try notify("READY=1\nSTATUS=\(Self.oneLine(status))")
    }

    /// `STATUS=`: one line, newlines replaced.
    public func status(_ text: String) throws(SystemdError) {
        try notify("STATUS=\(Self.oneLine(text))")
    }

    /// `RELOADING=1` with `MONOTONIC_USEC=` (CLOCK_MONOTONIC now), as systemd 253's notify-reload
    /// expects; `ready(status:)` ends the reload.
    public func reloading() throws(SystemdError) {
        try notify("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())")
    }

    /// `STOPPING=1`.
    public func stopping() throws(SystemdError) {
        try notify("STOPPING=1\nSTATUS=stopping")
    }

    /// `EXTEND_TIMEOUT_USEC=`: the manager waits this much longer for the current phase (start or stop).
    public func extendTimeout(by duration: Duration) throws(SystemdError) {
        let usec = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        try notify("EXTEND_TIMEOUT_USEC=\(usec)")
    }

    /// `WATCHDOG=1`; call only from the loop whose liveness it proves.
    public func watchdogPing() throws(SystemdError) {
        try notify("WATCHDOG=1")
    }

    static func oneLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ")
    }

    /// CLOCK_MONOTONIC in microseconds, the clock systemd compares `MONOTONIC_USEC` with.
    public static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
