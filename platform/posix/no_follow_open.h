#pragma once
// Opening a state or config file without following a symbolic link anywhere on its path:
// every directory is opened with O_DIRECTORY | O_NOFOLLOW relative to the one before it (from
// "/" or the working directory), the file itself with O_NOFOLLOW. A link in any component is
// refused with an error naming it, so a link planted in (or as) the state dir, or swapped for
// agent.json or identity.json, never makes the agent read or write elsewhere. POSIX only
// (openat); Linux's openat2 RESOLVE_NO_SYMLINKS would do the same walk in the kernel.

#include <sys/types.h>

#include <filesystem>

#include "pairing/result.h"
#include "platform/posix/unique_fd.h"

namespace tally::platform {

//! `flags` as for open(2) (O_NOFOLLOW and O_CLOEXEC are added). Error codes: "symlink" (a
//! component is a symbolic link), else errno_error's ("not_found" for ENOENT).
Result<UniqueFd> open_no_follow(const std::filesystem::path& p, int flags, mode_t mode = 0);

}  // namespace tally::platform
