#pragma once
// Which descriptors a spawned tally-agent-helper inherits: only 0..keep_through (stdin,
// stdout, stderr and the helper socket), never another of the agent's files or sockets. One
// implementation per OS, chosen by CMake: spawn_fds_closefrom.cpp here (glibc's
// posix_spawn_file_actions_addclosefrom_np), platform/macos/spawn_fds_cloexec_default.cpp
// (Apple's POSIX_SPAWN_CLOEXEC_DEFAULT; macOS has no addclosefrom_np).

#include <spawn.h>

namespace tally::platform {

//! Call last, after the other file actions and spawn flags. 0 or an errno.
int restrict_inherited_fds(posix_spawn_file_actions_t* actions, posix_spawnattr_t* attr,
                           int keep_through);

}  // namespace tally::platform
