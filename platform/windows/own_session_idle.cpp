// The caller's own session idle (see own_session_idle.h).

#include "platform/windows/own_session_idle.h"

#include <windows.h>

#include "platform/windows/idle_reports.h"
#include "platform/windows/system_library.h"
#include "platform/windows/win_error.h"

namespace tally::platform {

Result<IdleReport> measure_own_session_idle() {
    DWORD session = 0;
    if (!ProcessIdToSessionId(GetCurrentProcessId(), &session))
        return make_error("io", last_error("ProcessIdToSessionId"));
    // user32 only here (the reporter, probe): the running agent itself never loads it.
    using GetLastInput = BOOL(WINAPI*)(PLASTINPUTINFO);
    static const SystemLibrary user32(L"user32.dll");
    static const auto get_last_input = user32.function<GetLastInput>("GetLastInputInfo");
    if (get_last_input == nullptr)
        return make_error("io", last_error("load GetLastInputInfo from user32.dll"));
    LASTINPUTINFO lii{};
    lii.cbSize = sizeof lii;
    if (!get_last_input(&lii))
        return make_error("io", last_error("GetLastInputInfo"));
    return IdleReport{session, input_age_ms(GetTickCount(), lii.dwTime)};
}

void apply_own_session_idle(std::vector<agent::SessionSample>& samples) {
    auto own = measure_own_session_idle();
    if (!own || own->session == 0)
        return;
    const std::string id = std::to_string(own->session);
    for (auto& s : samples) {
        if (s.id == id) {
            s.idle_s = own->idle_ms / 1000;
            s.idle_source = kIdleSourceSessionReporter;
        }
    }
}

}  // namespace tally::platform
