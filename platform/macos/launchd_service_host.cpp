// LaunchdServiceHost: os_log for the service's lifecycle.

#include "platform/macos/launchd_service_host.h"

#include <unistd.h>

namespace tally::platform {

LaunchdServiceHost::LaunchdServiceHost() : log_(os_log_create(kLogSubsystem, "service")) {}

LaunchdServiceHost::~LaunchdServiceHost() {
    // "A value is always returned and should be released when no longer needed."
    os_release(log_);
}

// The format strings are literals (os_log requires it); the dynamic part is marked
// %{public}s, otherwise the unified log redacts it as <private>. Nothing passed here is a
// secret: states and counts, never keys, codes or user names.
void LaunchdServiceHost::ready() {
    os_log(log_, "tally-agent running (pid %d)", static_cast<int>(::getpid()));
}

void LaunchdServiceHost::stopping() {
    os_log(log_, "tally-agent stopping: closing the heartbeat, one final upload");
}

void LaunchdServiceHost::status_text(const std::string& text) {
    os_log_info(log_, "%{public}s", text.c_str());
}

std::uint64_t LaunchdServiceHost::process_id() const {
    return static_cast<std::uint64_t>(::getpid());
}

}  // namespace tally::platform
