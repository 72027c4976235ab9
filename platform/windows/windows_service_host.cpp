// SCM status from the core's lifecycle (see windows_service_host.h).

#include "platform/windows/windows_service_host.h"

#include <windows.h>

#include "agent/log.h"
#include "platform/windows/event_log.h"

namespace tally::platform {

WindowsServiceHost::WindowsServiceHost(std::shared_ptr<ServiceControl> control)
    : control_(std::move(control)) {
    if (!control_)
        return;
    install_event_log_sink();
}

WindowsServiceHost::~WindowsServiceHost() {
    if (!control_)
        return;
    if (before_stopped_)
        before_stopped_();
    // Never reached RUNNING: a failed start, so the SCM's recovery actions apply.
    control_->stopped(was_ready_ ? 0 : 1);
    agent::set_log_sink({});
}

void WindowsServiceHost::ready() {
    was_ready_ = true;
    if (control_) {
        control_->running();
        apply_recovery_actions();
    }
}

void WindowsServiceHost::stopping() {
    if (control_)
        control_->stop_pending();
}

void WindowsServiceHost::on_stop_request(std::function<void()> stop) {
    if (control_)
        control_->on_stop(std::move(stop));
}

void WindowsServiceHost::on_session_change(std::function<void()> changed) {
    if (!control_)
        return;
    control_->on_session_change(
        [changed = std::move(changed)](std::uint32_t event, std::uint32_t session) {
            agent::log_debug("service", "session change " + std::to_string(event) + " in session " +
                                            std::to_string(session) + ": sampling sessions");
            changed();
        });
}

std::uint64_t WindowsServiceHost::process_id() const {
    return GetCurrentProcessId();
}

}  // namespace tally::platform
