#pragma once
// agent::ServiceHost for systemd: sd_notify READY/WATCHDOG/STOPPING/STATUS, and the watchdog
// period systemd asked for (WatchdogSec= → WATCHDOG_USEC, sd_watchdog_enabled). Without
// NOTIFY_SOCKET (run by hand, in tests) every call does nothing.

#include "agent/interfaces/service_host.h"

namespace tally::platform {

class SystemdServiceHost : public agent::ServiceHost {
  public:
    void ready() override;
    //! sd_watchdog_enabled(): WATCHDOG_USEC for this process (WATCHDOG_PID), else zero.
    std::chrono::microseconds watchdog_period() const override;
    void watchdog() override;
    void stopping() override;
    void status_text(const std::string& text) override;
    //! Ignored: systemd stops the agent with SIGTERM, which the core handles.
    void on_stop_request(std::function<void()> stop) override;
    std::uint64_t process_id() const override;
};

}  // namespace tally::platform
