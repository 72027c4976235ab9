// Stub for syntax checks only (see README.md): the system's <spawn.h> plus the two Apple
// extensions platform/macos uses (posix_spawnattr_setflags(3),
// posix_spawn_file_actions_addclose(3) on macOS).
#pragma once
#include_next <spawn.h>

#define POSIX_SPAWN_CLOEXEC_DEFAULT 0x4000

extern "C" int posix_spawn_file_actions_addinherit_np(posix_spawn_file_actions_t* actions,
                                                      int filedes);
