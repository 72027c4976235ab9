// SystemdServiceHost: sd_notify messages, no-ops outside systemd.

#include "platform/linux/systemd_service_host.h"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace tally::platform {
namespace {

void notify(const std::string& message) {
    if (std::getenv("NOTIFY_SOCKET") == nullptr)
        return;
    // A failed notify is not worth stopping for; systemd's watchdog notices a silent agent.
    (void)sd_notify(0, message.c_str());
}

}  // namespace

void SystemdServiceHost::ready() {
    notify("READY=1");
}
std::chrono::microseconds SystemdServiceHost::watchdog_period() const {
    std::uint64_t usec = 0;
    // 0 keeps WATCHDOG_USEC/WATCHDOG_PID in the environment for sd_notify's own checks.
    if (sd_watchdog_enabled(0, &usec) <= 0)
        return std::chrono::microseconds(0);
    return std::chrono::microseconds(usec);
}

void SystemdServiceHost::watchdog() {
    notify("WATCHDOG=1");
}
void SystemdServiceHost::stopping() {
    notify("STOPPING=1");
}

void SystemdServiceHost::status_text(const std::string& text) {
    std::string line = text;
    // STATUS= is one line; a newline would start a new (bogus) assignment.
    for (char& c : line) {
        if (c == '\n' || c == '\r')
            c = ' ';
    }
    notify("STATUS=" + line);
}

void SystemdServiceHost::on_stop_request(std::function<void()> /*stop*/) {}

std::uint64_t SystemdServiceHost::process_id() const {
    return static_cast<std::uint64_t>(::getpid());
}

}  // namespace tally::platform
