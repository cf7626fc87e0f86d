#ifndef SLAD_CPREFETCH_H
#define SLAD_CPREFETCH_H

/// Starts loading the cache line at `address` for writing, without waiting for it. Swift has no
/// prefetch of its own; being static inline, this compiles to the one instruction in Swift callers.
static inline void slad_prefetch(const void *address) {
    __builtin_prefetch(address, 1, 3);
}

#endif
