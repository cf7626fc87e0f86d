import CSystemd

#if canImport(Glibc)
import Glibc
#endif

/// The journal's native protocol through `sd_journal_sendv` (`sd_journal_send` is variadic and
/// unavailable in Swift).
public enum Journal {
    /// Sends one entry, blocking until journald has it (or the socket refuses).
    ///
    /// Call it from a thread that may block: ``JournalWriter`` does. Throws with the errno libsystemd
    /// returned, e.g. ECONNREFUSED or ENOENT when journald is not running.
    public static func send(_ entry: JournalEntry) throws(SystemdError) {
        guard !entry.fields.isEmpty else { return }
        // All fields, each "NAME=value", in one buffer; one iovec per field points into it.
        var storage: [UInt8] = []
        storage.reserveCapacity(entry.fields.reduce(0) { $0 + $1.name.utf8.count + 1 + $1.value.count })
        var ranges: [(start: Int, count: Int)] = []
        ranges.reserveCapacity(entry.fields.count)
        for field in entry.fields {
            let start = storage.count
            storage.append(contentsOf: field.name.utf8)
            storage.append(UInt8(ascii: "="))
            storage.append(contentsOf: field.value)
            ranges.append((start, storage.count - start))
        }
        let result = storage.withUnsafeMutableBytes { raw -> Int32 in
            let vectors = ranges.map { iovec(iov_base: raw.baseAddress! + $0.start, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
        if result < 0 { throw SystemdError(call: "sd_journal_sendv", returned: result) }
    }
}
