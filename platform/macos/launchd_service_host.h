#pragma once
// agent::ServiceHost under launchd: a LaunchDaemon runs `tally-agent run` in the foreground
// (the plist's ProgramArguments; no fork, no daemon(3), launchd.plist(5) "EXPECTATIONS").
// launchd has no readiness or watchdog protocol: KeepAlive restarts an agent that exits.
// Stop: launchd sends SIGTERM, then SIGKILL after ExitTimeOut (default 20 s); the core
// catches SIGTERM, closes the partial heartbeat, makes one upload with a 5 s deadline and
// exits 0. Lifecycle events go to the unified log (os_log, subsystem com.tally.agent);
// the core's log lines go to stderr (the plist's StandardErrorPath).

#include <os/log.h>

#include "agent/interfaces/service_host.h"

namespace tally::platform {

inline constexpr const char* kLogSubsystem = "com.tally.agent";

class LaunchdServiceHost : public agent::ServiceHost {
  public:
    LaunchdServiceHost();
    ~LaunchdServiceHost() override;
    LaunchdServiceHost(const LaunchdServiceHost&) = delete;
    LaunchdServiceHost& operator=(const LaunchdServiceHost&) = delete;

    void ready() override;
    std::chrono::microseconds watchdog_period() const override { return {}; }
    void watchdog() override {}
    void stopping() override;
    void status_text(const std::string& text) override;
    void on_stop_request(std::function<void()> /*stop*/) override {}
    std::uint64_t process_id() const override;

  private:
    os_log_t log_;
};

}  // namespace tally::platform
