#pragma once
// Gives the allocator's free pages back to the system after a large read.
//
// A report at 100,000 devices reads its facts through buffers it frees before the billing
// engine runs (the scanned month rollups, the two readers' halves, SQLite's page caches).
// glibc keeps such freed memory resident in its arenas, so it adds to the process's peak RSS
// while the engine allocates beside it: measured 9 MB of a 138 MB peak. CMake picks the
// implementation (free_memory_glibc.cpp with malloc_trim, else free_memory_portable.cpp).

#include <cstddef>

namespace tally::server {

//! Devices from which a report's read is worth giving back (smaller reads free little, and
//! the walk over the allocator's arenas is not free for a busy server).
inline constexpr std::size_t kGiveBackFromDevices = 10000;

//! Returns the allocator's free memory to the system where the allocator keeps it.
void give_back_free_memory();

}  // namespace tally::server
