// Default locations on Windows: %ProgramData%\Tally\agent.json and %ProgramData%\Tally\state.
// The known folder comes from shell32 loaded for the one call (see system_library.h): the
// resident agent does not keep shell32 and ole32 (and what they load) mapped.

#include <windows.h>

#include <shlobj.h>

#include "agent/interfaces/platform.h"
#include "platform/windows/system_library.h"

namespace tally::agent {
namespace {

//! FOLDERID_ProgramData {62AB5D82-FDC1-4DC3-A9DD-070D1D495D97} (knownfolders.h), here so
//! that no import library is needed for it.
constexpr GUID kProgramData = {
    0x62AB5D82, 0xFDC1, 0x4DC3, {0xA9, 0xDD, 0x07, 0x0D, 0x1D, 0x49, 0x5D, 0x97}};

std::filesystem::path known_program_data() {
    using GetKnownFolderPath = HRESULT(WINAPI*)(REFKNOWNFOLDERID, DWORD, HANDLE, PWSTR*);
    using TaskMemFree = void(WINAPI*)(LPVOID);
    const platform::SystemLibrary shell32(L"shell32.dll");
    const platform::SystemLibrary ole32(L"ole32.dll");
    auto get = shell32.function<GetKnownFolderPath>("SHGetKnownFolderPath");
    auto free = ole32.function<TaskMemFree>("CoTaskMemFree");
    std::filesystem::path out = L"C:\\ProgramData";
    PWSTR path = nullptr;
    if (get != nullptr && free != nullptr && get(kProgramData, 0, nullptr, &path) == S_OK)
        out = path;
    if (free != nullptr)
        free(path);
    return out;
}

const std::filesystem::path& program_data() {
    static const std::filesystem::path path = known_program_data();
    return path;
}

}  // namespace

std::filesystem::path default_config_path() {
    return program_data() / L"Tally" / L"agent.json";
}
std::filesystem::path default_state_dir() {
    return program_data() / L"Tally" / L"state";
}

}  // namespace tally::agent
