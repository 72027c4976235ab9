#pragma once
// agent::ServiceHost on Windows. Under the SCM (`run --service`): SetServiceStatus reports
// (running, stop pending with a wait hint that covers the final heartbeat and one upload,
// stopped), the SCM's stop/shutdown/preshutdown become the core's stop request, session
// changes make the core sample the sessions again (besides every sample), logs go to the
// Application event log. In the foreground: all no-ops, logs on stderr.

#include <functional>
#include <memory>

#include "agent/interfaces/service_host.h"
#include "platform/windows/service_control.h"

namespace tally::platform {

class WindowsServiceHost : public agent::ServiceHost {
  public:
    explicit WindowsServiceHost(std::shared_ptr<ServiceControl> control);
    ~WindowsServiceHost() override;

    void ready() override;
    std::chrono::microseconds watchdog_period() const override { return {}; }
    void watchdog() override {}
    void stopping() override;
    void status_text(const std::string&) override {}
    void on_stop_request(std::function<void()> stop) override;
    void on_session_change(std::function<void()> changed) override;
    std::uint64_t process_id() const override;

    //! Runs just before SERVICE_STOPPED is reported (the session reporters are ended there).
    void before_stopped(std::function<void()> f) { before_stopped_ = std::move(f); }

  private:
    std::shared_ptr<ServiceControl> control_;
    bool was_ready_ = false;
    std::function<void()> before_stopped_;
};

}  // namespace tally::platform
