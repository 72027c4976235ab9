#pragma once
// Sessions from systemd-logind: sd-login for the session facts, logind's D-Bus properties
// IdleHint/IdleSinceHint/LockedHint for graphical sessions, the tty's atime for tty and ssh
// sessions (as `w` does).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "agent/interfaces/activity_source.h"
#include "pairing/result.h"

namespace tally::platform {

struct LogindOptions {
    std::filesystem::path dev_dir = "/dev";
    std::uint32_t uid_min = 1000;
    //! Consulted for ssh sessions that logind knows no tty for.
    std::filesystem::path utmp_path = "/var/run/utmp";
};

//! True when systemd is PID 1 and logind keeps its seat state (/run/systemd/seats).
bool logind_running();

//! `error` collects non-fatal problems (a D-Bus read that failed) for last_error().
Result<std::vector<agent::SessionSample>> read_logind_sessions(const LogindOptions& options,
                                                               std::string& error);

}  // namespace tally::platform
