import Foundation
import SLACore
import SLAJSON

/// The on-call JSON Lines formats: shifts as `slad oncall` prints them, overrides as the daemon
/// stores them and `--overrides` reads them.
///
/// ```
/// {"team":"desk","person":"alice","layer":"business-hours","start":"2026-11-30T08:00:00Z","end":"..."}
/// {"team":"desk","person":"carol","layer":null,"start":"...","end":"..."}        (the fallback)
/// {"team":"desk","person":"bob","override":"ov-3","start":"...","end":"..."}
/// {"team":"desk","person":null,"start":"...","end":"..."}                         (a gap)
/// ```
public enum OnCallFormat {
    /// One shift as a JSON object, keys in the documented order, no newline.
    public static func encode(_ shift: OnCallShift, team: String) -> String {
        var out = "{\"team\":"
        JSONValue.appendQuoted(team, to: &out)
        out += ",\"person\":"
        if let person = shift.person { JSONValue.appendQuoted(person, to: &out) } else { out += "null" }
        switch shift.source {
        case .layer(let name):
            out += ",\"layer\":"
            JSONValue.appendQuoted(name, to: &out)
        case .fallback:
            out += ",\"layer\":null"
        case .override(let id):
            out += ",\"override\":"
            JSONValue.appendQuoted(id, to: &out)
        case .nobody:
            break
        }
        out += ",\"start\":\"\(shift.start)\",\"end\":\"\(shift.end)\"}"
        return out
    }

    /// One override as a JSON object, no newline.
    public static func encode(_ override: OnCallOverride) -> String {
        var out = "{\"id\":"
        JSONValue.appendQuoted(override.id, to: &out)
        out += ",\"team\":"
        JSONValue.appendQuoted(override.team, to: &out)
        out += ",\"person\":"
        JSONValue.appendQuoted(override.person, to: &out)
        out += ",\"start\":\"\(override.start)\",\"end\":\"\(override.end)\"}"
        return out
    }

    /// Reads overrides, one JSON object a line (blank lines skipped), in file order: a later line is
    /// newer and wins where two overlap.
    /// - Returns: the overrides, or the first bad line's number and why.
    public static func decodeOverrides(_ data: Data) -> Result<[OnCallOverride], EventDecodingError> {
        var overrides: [OnCallOverride] = []
        let decoder = JSONDecoder()
        for (number, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        {
            guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { continue }
            do {
                let override = try decoder.decode(OnCallOverride.self, from: Data(line))
                guard override.end > override.start else {
                    return .failure(EventDecodingError("line \(number + 1): the override ends before it starts"))
                }
                overrides.append(override)
            } catch {
                return .failure(
                    EventDecodingError(
                        "line \(number + 1): not an override {\"id\",\"team\",\"person\",\"start\",\"end\"}: \(error)"))
            }
        }
        return .success(overrides)
    }
}
