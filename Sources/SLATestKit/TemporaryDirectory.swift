#if canImport(Glibc)
import Glibc
#endif

/// A new, empty, private folder under `$TMPDIR` (or /tmp), made with mkdtemp(3) so that two tests
/// running at once never share one.
public func makeTemporaryDirectory(prefix: String = "slad-test") throws -> String {
    let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
    let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
    guard made != nil else { throw TemporaryDirectoryError(errno: errno) }
    return String(cString: template)
}

/// mkdtemp(3) failed.
public struct TemporaryDirectoryError: Error, CustomStringConvertible {
    public var errno: Int32
    public var description: String { "mkdtemp failed: \(String(cString: strerror(errno)))" }
}
