// Default locations on Windows: %ProgramData%\Tally\agent.json and %ProgramData%\Tally\state.

#include <windows.h>

#include <shlobj.h>

#include "agent/interfaces/platform.h"

namespace tally::agent {
namespace {

std::filesystem::path program_data() {
    PWSTR path = nullptr;
    std::filesystem::path out = L"C:\\ProgramData";
    if (SHGetKnownFolderPath(FOLDERID_ProgramData, 0, nullptr, &path) == S_OK)
        out = path;
    CoTaskMemFree(path);
    return out;
}

}  // namespace

std::filesystem::path default_config_path() {
    return program_data() / L"Tally" / L"agent.json";
}
std::filesystem::path default_state_dir() {
    return program_data() / L"Tally" / L"state";
}

}  // namespace tally::agent
