// Event log sink and recovery actions (see event_log.h).

#include "platform/windows/event_log.h"

#include <windows.h>

#include "agent/log.h"
#include "platform/windows/service_control.h"
#include "platform/windows/service_install.h"
#include "platform/windows/win_error.h"

namespace tally::platform {

void install_event_log_sink() {
    HANDLE source = RegisterEventSourceW(nullptr, kEventSource);
    if (source == nullptr) {
        agent::log_warn("service", last_error("RegisterEventSourceW") + "; logging to stderr");
        return;
    }
    // The handle lives as long as the process: the sink may log until exit.
    agent::set_log_sink([source](agent::LogLevel level, std::string_view line) {
        const WORD type = level == agent::LogLevel::error  ? EVENTLOG_ERROR_TYPE
                          : level == agent::LogLevel::warn ? EVENTLOG_WARNING_TYPE
                                                           : EVENTLOG_INFORMATION_TYPE;
        const std::wstring text = widen(line);
        LPCWSTR strings[] = {text.c_str()};
        ReportEventW(source, type, 0, 1, nullptr, 1, 0, strings, nullptr);
    });
}

void apply_recovery_actions() {
    if (auto r = configure_recovery(); !r)
        agent::log_warn("service", r.error().message);
}

}  // namespace tally::platform
