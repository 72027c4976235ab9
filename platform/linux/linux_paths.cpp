// Default locations of the agent's config file and state directory on Linux.

#include "agent/interfaces/platform.h"

namespace tally::agent {

std::filesystem::path default_config_path() {
    return "/etc/tally/agent.json";
}
std::filesystem::path default_state_dir() {
    return "/var/lib/tally";
}

}  // namespace tally::agent
