#pragma once
// The SCM side of `tally-agent run --service`: StartServiceCtrlDispatcherW on a thread of
// its own (the main thread goes on to run the agent as in the foreground), the control
// handler (stop, shutdown, preshutdown, session change, interrogate) and SetServiceStatus.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "pairing/result.h"

namespace tally::platform {

inline constexpr wchar_t kServiceName[] = L"TallyAgent";
inline constexpr wchar_t kServiceDisplayName[] = L"Tally Agent";
inline constexpr wchar_t kEventSource[] = L"Tally Agent";
//! The SCM's wait hint while stopping: the final heartbeat, spool and one upload fit in it.
inline constexpr std::chrono::milliseconds kStopWaitHint{25000};

class ServiceControl {
  public:
    //! Connects to the SCM; error when this process was not started by it.
    static Result<std::shared_ptr<ServiceControl>> start();
    ~ServiceControl();

    void running();
    void stop_pending();
    //! The last report; ServiceMain returns and the dispatcher thread is joined.
    void stopped(std::uint32_t service_exit_code);
    //! Called (on the SCM's handler thread) for stop, shutdown and preshutdown.
    void on_stop(std::function<void()> stop);
    //! Called for SERVICE_CONTROL_SESSIONCHANGE (event type, session id).
    void on_session_change(std::function<void(std::uint32_t, std::uint32_t)> f);

    struct Impl;

  private:
    explicit ServiceControl(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

//! Set by run_platform_helper when argv is `run --service`; null in the foreground.
std::shared_ptr<ServiceControl>& current_service_control();

}  // namespace tally::platform
