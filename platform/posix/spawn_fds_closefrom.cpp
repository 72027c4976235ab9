// restrict_inherited_fds() with posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34).

#include "platform/posix/spawn_fds.h"

namespace tally::platform {

int restrict_inherited_fds(posix_spawn_file_actions_t* actions, posix_spawnattr_t* /*attr*/,
                           int keep_through) {
    return posix_spawn_file_actions_addclosefrom_np(actions, keep_through + 1);
}

}  // namespace tally::platform
