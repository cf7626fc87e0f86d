import Foundation

/// The system's time zone by name: `TZ`, else the zone /etc/localtime links to, else UTC.
public enum SystemZone {
    /// The zone's IANA name.
    public static func name() -> String {
        if let tz = ProcessInfo.processInfo.environment["TZ"], !tz.isEmpty {
            return tz.hasPrefix(":") ? String(tz.dropFirst()) : tz
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/etc/localtime"),
            let range = target.range(of: "zoneinfo/")
        {
            return String(target[range.upperBound...])
        }
        if let text = try? String(contentsOfFile: "/etc/timezone", encoding: .utf8) {
            let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty { return name }
        }
        return "UTC"
    }
}
