#if canImport(Glibc)
import Glibc
#endif

/// Hands the heap's free memory back to the system.
enum MemoryReturn {
    /// glibc's `malloc_trim`, looked up at run time: Swift's Glibc module leaves out `malloc.h`.
    private static let trim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "malloc_trim") else { return nil }  // nil: RTLD_DEFAULT, every loaded object
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// `malloc_trim(0)`: releases the free pages of every arena, not only the top of the main heap,
    /// so the resident size follows what the daemon holds. Does nothing without glibc.
    static func now() {
        _ = trim?(0)
    }
}
