// Foundation's Process.run() on Linux (swift-corelibs-foundation up to Swift 6.3.1) copies the whole
// 256-byte d_name of every /proc/self/fd entry it reads, past the end of glibc's 32 KiB readdir buffer
// when the last entry sits at its end (swiftlang/swift-corelibs-foundation#5472); the test process, which
// starts slad and slactl hundreds of times, crashed so in about one full run of three. Allocations from
// 16 KiB on are then mapped on their own, and the buffer's mapping has a page's slack past its end.
// Linked into the test bundle only (never into slad or slactl); runs before any test.
#include <malloc.h>

#include "CSpawnWorkaround.h"

static int applied;

__attribute__((constructor)) static void slad_spawn_workaround(void) {
    applied = mallopt(M_MMAP_THRESHOLD, 16 * 1024);
}

void slad_spawn_workaround_applied(void) { (void)applied; }
