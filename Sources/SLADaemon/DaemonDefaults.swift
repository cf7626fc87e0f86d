import Foundation
import SLAContract

/// Where slad keeps things when not told: systemd's directories when it runs as a service, the
/// usual system paths as root, and per-user paths otherwise, so the same command works for both.
public enum DaemonDefaults {
    public static let configPath = "/etc/slad/slad.yaml"

    /// `$STATE_DIRECTORY` (systemd's StateDirectory=), else /var/lib/slad as root, else
    /// `$XDG_STATE_HOME/slad` or `~/.local/state/slad`.
    public static func stateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dirs = environment["STATE_DIRECTORY"], let first = dirs.split(separator: ":").first {
            return String(first)
        }
        if geteuid() == 0 { return "/var/lib/slad" }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/slad" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state/slad"
    }

    /// `$RUNTIME_DIRECTORY/io.slad.Sla` (systemd's RuntimeDirectory=), else the rule `slactl` follows
    /// (``DefaultPaths/socket``): `$SLAD_SOCKET`, /run/slad/io.slad.Sla as root, else
    /// `$XDG_RUNTIME_DIR/slad/io.slad.Sla` or `/tmp/slad-UID/io.slad.Sla`.
    public static func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let dirs = environment["RUNTIME_DIRECTORY"], let first = dirs.split(separator: ":").first {
            return String(first) + "/" + DefaultPaths.socketName
        }
        return DefaultPaths.socket(environment: environment, userID: geteuid())
    }
}
