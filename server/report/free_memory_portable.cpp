// Allocators without malloc_trim (macOS's libmalloc) return free pages on their own, in their
// own time: nothing to ask for here (free_memory.h).
#include "server/report/free_memory.h"

namespace tally::server {

void give_back_free_memory() {}

}  // namespace tally::server
