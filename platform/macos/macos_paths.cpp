// Default locations on macOS (DESIGN.md §6): the config in
// /Library/Application Support/Tally/, the state directory (key, spool, status socket)
// beside it, root-only (0700, made by the agent).

#include "agent/interfaces/platform.h"

namespace tally::agent {

std::filesystem::path default_config_path() {
    return "/Library/Application Support/Tally/agent.json";
}
std::filesystem::path default_state_dir() {
    return "/Library/Application Support/Tally/state";
}

}  // namespace tally::agent
