// Finding tally-agent-helper (see helper_program.h).

#include "platform/posix/helper_program.h"

#include <unistd.h>

namespace tally::platform {

std::filesystem::path find_helper_program(const std::filesystem::path& configured,
                                          const std::filesystem::path& agent_dir) {
    if (!configured.empty())
        return configured;
    if (!agent_dir.empty()) {
        const auto beside = agent_dir / kHelperName;
        if (::access(beside.c_str(), X_OK) == 0)
            return beside;
    }
    return std::filesystem::path(kHelperInstallDir) / kHelperName;
}

}  // namespace tally::platform
