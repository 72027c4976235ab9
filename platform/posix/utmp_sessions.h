#pragma once
// Sessions from a utmp file (struct utmpx records): USER_PROCESS entries whose process is
// still alive. Used when logind is absent, or when the config names a utmp file (tests),
// and to find the tty of an ssh session that logind knows no tty for.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "agent/interfaces/activity_source.h"
#include "pairing/result.h"

namespace tally::platform {

struct UtmpOptions {
    std::filesystem::path utmp_path = "/var/run/utmp";
    std::filesystem::path dev_dir = "/dev";
    std::uint32_t uid_min = 1000;
};

//! Reads the file itself (not getutxent, which is process-global and not thread-safe).
Result<std::vector<agent::SessionSample>> read_utmp_sessions(const UtmpOptions& options);

}  // namespace tally::platform
