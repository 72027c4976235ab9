// glibc: malloc_trim(0) releases the free memory of every arena, not only the top of the main
// heap (free_memory.h).
#include "server/report/free_memory.h"

#include <malloc.h>

namespace tally::server {

void give_back_free_memory() {
    malloc_trim(0);
}

}  // namespace tally::server
