import SLAContract
import SLAJSON

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a call to slad did not return a reply.
public enum ControlError: Error, Sendable {
    /// Connecting failed: slad is not running, the path is wrong, or the socket refuses this user.
    case unreachable(path: String, errno: Int32)
    /// The socket's folder could be another user's (``SocketDirectory``): slactl did not connect.
    case untrustedSocket(path: String, reason: String)
    /// slad answered with a Varlink error, such as `io.slad.Sla.UnknownTicket`.
    case remote(name: String, parameters: [String: JSONValue])
    /// The peer sent something that is not a Varlink reply, or closed the connection mid-reply.
    case protocolViolation(String)
}

extension ControlError: CustomStringConvertible {
    /// A sentence for people that says what went wrong and what to do; no `slactl:` prefix. What slad
    /// sent is shown with its control characters escaped (``TerminalText``).
    public var description: String {
        switch self {
        case .unreachable(let path, let code) where code == EACCES || code == EPERM:
            return "permission denied on slad's socket \(path); run slactl as root or as a user the socket's "
                + "group allows (--socket PATH for another socket)"
        case .unreachable(let path, let code):
            return "cannot reach slad at \(path): \(SystemError.message(code)); is slad running? (--socket PATH)"
        case .untrustedSocket(_, let reason):
            return reason
        case .remote(let name, let parameters):
            return RemoteErrorText.sentence(name: name, parameters: parameters)
        case .protocolViolation(let detail):
            return "protocol error: \(detail)"
        }
    }

    /// The process exit status slactl ends with for this error; see ``ControlExitStatus``.
    public var exitStatus: Int32 {
        switch self {
        case .unreachable(_, let code) where code == EACCES || code == EPERM:
            return ControlExitStatus.permissionDenied
        case .unreachable, .untrustedSocket:
            return ControlExitStatus.unreachable
        case .remote(let name, _):
            switch name {
            case SlaInterface.Errors.unknownTicket, SlaInterface.Errors.unknownTeam,
                SlaInterface.Errors.unknownOverride:
                return ControlExitStatus.notFound
            case SlaInterface.Errors.permissionDenied: return ControlExitStatus.permissionDenied
            default: return ControlExitStatus.refused
            }
        case .protocolViolation:
            return ControlExitStatus.protocolError
        }
    }
}

/// slactl's exit statuses, one per kind of failure (sysexits.h numbers where one fits).
public enum ControlExitStatus {
    /// The command did what it was asked.
    public static let ok: Int32 = 0
    /// slad refused: InvalidEvent, InvalidConfig or another Varlink error; or a submit line is not an event.
    public static let refused: Int32 = 1
    /// The ticket is not open (`io.slad.Sla.UnknownTicket`).
    public static let notFound: Int32 = 3
    /// slad or the socket's permissions refused this user (`org.varlink.service.PermissionDenied`, EACCES).
    public static let permissionDenied: Int32 = 4
    /// Bad command-line usage (swift-argument-parser's own status, EX_USAGE).
    public static let usage: Int32 = 64
    /// The events file of `submit` cannot be read (EX_NOINPUT).
    public static let noInput: Int32 = 66
    /// slad cannot be reached: not running, or a wrong socket path (EX_UNAVAILABLE).
    public static let unreachable: Int32 = 69
    /// The peer broke the protocol: garbage, or a connection closed mid-reply (EX_PROTOCOL).
    public static let protocolError: Int32 = 76
}

/// Sentences for the Varlink errors slad is known to send.
enum RemoteErrorText {
    typealias Sla = SlaInterface

    static func sentence(name: String, parameters: [String: JSONValue]) -> String {
        let read = FieldReader(parameters)
        let shown = { (key: String) in (try? read.optionalString(key))?.map(TerminalText.escaped) }
        switch name {
        case Sla.Errors.unknownTicket:
            return "no open ticket \(shown("ticket") ?? "?"); `slactl list` shows the open ones"
        case Sla.Errors.invalidEvent:
            return "slad refused the event: \(shown("message") ?? "no reason given")"
        case Sla.Errors.invalidConfig:
            let errors = ((try? read.strings("errors")) ?? []).map { "\n  \(TerminalText.escaped($0))" }.joined()
            return "slad refused the configuration file; fix these and try again:\(errors)"
        case Sla.Errors.unknownTeam:
            return "no team \(shown("team") ?? "?") is configured; the configuration's teams section lists them"
        case Sla.Errors.noTeam:
            let line = (try? read.optionalInt("line")).flatMap { $0 }.map(String.init) ?? "?"
            return "line \(line) has no on-call team; add team: NAME to it in the configuration"
        case Sla.Errors.invalidOverride:
            return "slad refused the override: \(shown("reason") ?? "no reason given")"
        case Sla.Errors.unknownOverride:
            return "no override \(shown("id") ?? "?"); `slactl oncall override list` shows them"
        case Sla.Errors.permissionDenied:
            return "slad denied this request to the calling user; run slactl as root or as a user slad allows"
        case Sla.Errors.methodNotFound, Sla.Errors.interfaceNotFound, Sla.Errors.methodNotImplemented:
            let what = shown("method") ?? shown("interface") ?? ""
            return "slad does not offer \(what.isEmpty ? "this call" : what); is slad older than slactl?"
        case Sla.Errors.invalidParameter:
            return "slad refused the parameter \(shown("parameter") ?? "?"); is slad a different version than slactl?"
        default:
            let detail = parameters.isEmpty ? "" : " " + TerminalText.escaped(JSONValue.object(parameters).encodedString())
            return "slad answered with the error \(TerminalText.escaped(name))\(detail)"
        }
    }
}

enum SystemError {
    /// `strerror` text, e.g. "No such file or directory".
    static func message(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
