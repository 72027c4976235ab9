#pragma once
// `tally-agent.exe __session-reporter --pipe NAME [--interval-ms N] [--once]`: the process
// the service starts in each interactive session (hidden: not in --help). Every interval it
// reads GetLastInputInfo (per session, unlike WTS LastInputTime for console sessions), turns
// it into an age with GetTickCount (wrap-safe) and sends one report to the service's idle
// pipe. --once sends one report, prints it, and exits 0 (1 when it could not be sent).
// Ends itself after 10 consecutive failed sends (the service restarts it with a backoff).

#include <string>
#include <vector>

namespace tally::platform {

inline constexpr char kSessionReporterCommand[] = "__session-reporter";

int run_session_reporter(const std::vector<std::string>& args);

}  // namespace tally::platform
