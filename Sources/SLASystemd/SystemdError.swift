#if canImport(Glibc)
import Glibc
#endif

/// A libsystemd call that returned a negative value: which call, and the errno it carried.
///
/// libsystemd returns `-errno` instead of setting `errno`; the value is kept as it came so that a
/// reader can look it up (`errno -l`, or ECONNREFUSED when journald is down).
public struct SystemdError: Error, Equatable, CustomStringConvertible {
    /// The function that failed, e.g. `sd_journal_sendv`.
    public var call: String
    /// The positive errno value.
    public var errno: Int32
    /// What slad was doing, e.g. "fd named varlink".
    public var context: String

    public init(call: String, errno: Int32, context: String = "") {
        self.call = call
        self.errno = errno
        self.context = context
    }

    /// From a libsystemd return value `-errno`.
    init(call: String, returned: Int32, context: String = "") {
        self.init(call: call, errno: -returned, context: context)
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return context.isEmpty
            ? "\(call) failed: \(reason) (errno \(errno))" : "\(call) failed (\(context)): \(reason) (errno \(errno))"
    }
}
