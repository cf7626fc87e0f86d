#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where slad's control socket is when nobody says otherwise. The daemon uses the same rule.
public enum DefaultPaths {
    /// The socket's file name inside the runtime directory: the interface name, as Varlink services do.
    public static let socketName = SlaInterface.name

    /// The default socket path for this process: `$SLAD_SOCKET`; else `/run/slad/io.slad.Sla` when
    /// running as root (systemd's `RuntimeDirectory=slad`); else `$XDG_RUNTIME_DIR/slad/io.slad.Sla`, or
    /// `/tmp/slad-$UID/io.slad.Sla` when `XDG_RUNTIME_DIR` is unset. `$UID` is the effective user id.
    public static var socket: String {
        var environment: [String: String] = [:]
        for name in ["SLAD_SOCKET", "XDG_RUNTIME_DIR"] {
            if let value = getenv(name) { environment[name] = String(cString: value) }
        }
        return socket(environment: environment, userID: geteuid())
    }

    /// The rule of ``socket`` for a given environment and effective user id. Empty variables count as unset.
    public static func socket(environment: [String: String], userID: uid_t) -> String {
        if let path = environment["SLAD_SOCKET"], !path.isEmpty { return path }
        if userID == 0 { return "/run/slad/\(socketName)" }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty {
            return (runtime.hasSuffix("/") ? String(runtime.dropLast()) : runtime) + "/slad/\(socketName)"
        }
        return "/tmp/slad-\(userID)/\(socketName)"
    }
}
