#pragma once
// Where the agent finds tally-agent-helper, first match wins:
//   1. the `helper_path` config key (TALLY_HELPER_PATH), used as given;
//   2. `tally-agent-helper` beside the tally-agent executable (build trees, tarballs,
//      macOS app layouts);
//   3. the compiled-in install location, /usr/libexec/tally/tally-agent-helper.
// When none exists the last candidate is returned, so the error names where it was expected.

#include <filesystem>

namespace tally::platform {

constexpr const char* kHelperName = "tally-agent-helper";
constexpr const char* kHelperInstallDir = "/usr/libexec/tally";

std::filesystem::path find_helper_program(const std::filesystem::path& configured,
                                          const std::filesystem::path& agent_dir);

}  // namespace tally::platform
