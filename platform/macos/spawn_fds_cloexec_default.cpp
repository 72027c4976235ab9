// restrict_inherited_fds() on macOS: POSIX_SPAWN_CLOEXEC_DEFAULT makes posix_spawn close
// every descriptor the file actions do not name; the ones below keep_through that no other
// action names (stderr) are kept with posix_spawn_file_actions_addinherit_np. Both are
// Apple extensions (posix_spawnattr_setflags(3), posix_spawn_file_actions_addclose(3)).

#include "platform/posix/spawn_fds.h"

namespace tally::platform {

int restrict_inherited_fds(posix_spawn_file_actions_t* actions, posix_spawnattr_t* attr,
                           int keep_through) {
    for (int fd = 0; fd <= keep_through; ++fd) {
        // Naming an fd that a later or earlier action also opens or dup2s is harmless.
        if (int rc = posix_spawn_file_actions_addinherit_np(actions, fd); rc != 0)
            return rc;
    }
    short flags = 0;
    if (int rc = posix_spawnattr_getflags(attr, &flags); rc != 0)
        return rc;
    return posix_spawnattr_setflags(attr, static_cast<short>(flags | POSIX_SPAWN_CLOEXEC_DEFAULT));
}

}  // namespace tally::platform
