#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back the big tables with 2 MiB pages.
///
/// With a million tickets the engine reads its tables at random: with 4 KiB pages nearly every
/// ticket lookup also misses the TLB and walks the page tables, itself a chain of cache misses.
/// Linux hands out transparent huge pages only where asked (`madvise` mode, the common default),
/// so the engine asks for its index and ticket storage before touching them.
enum HugePages {
    static let size = 2 << 20

    /// Advises the 2 MiB-aligned pages inside `bytes` bytes from `base`. Memory already touched
    /// is left to the kernel's background collapse.
    static func advise(_ base: UnsafeMutableRawPointer?, bytes: Int) {
        #if os(Linux)
        guard let base, bytes >= size else { return }
        let start = (Int(bitPattern: base) + size - 1) & ~(size - 1)
        let end = (Int(bitPattern: base) + bytes) & ~(size - 1)
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, 14 /* MADV_HUGEPAGE */)
        #endif
    }

    /// Advises the whole capacity of an array (its unused part included).
    static func advise<Element>(_ array: inout ContiguousArray<Element>) {
        let bytes = array.capacity * MemoryLayout<Element>.stride
        guard bytes >= size else { return }
        array.withUnsafeMutableBufferPointer { advise(UnsafeMutableRawPointer($0.baseAddress), bytes: bytes) }
    }
}
