#pragma once
// Tells the OS service manager how the agent is doing (systemd notify + watchdog, Windows
// SCM status, launchd). SIGTERM/SIGINT are handled by the core with asio::signal_set.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace tally::agent {

class ServiceHost {
  public:
    virtual ~ServiceHost() = default;
    virtual void ready() = 0;
    //! The period within which the service manager wants watchdog() calls; zero when it
    //! asked for none (then the core arms no watchdog timer: one wake-up less per period).
    virtual std::chrono::microseconds watchdog_period() const = 0;
    virtual void watchdog() = 0;
    virtual void stopping() = 0;
    virtual void status_text(const std::string& text) = 0;
    //! Registers the stop request from the service manager (Windows SCM stop); Unix hosts
    //! may ignore it because signals reach the core directly.
    virtual void on_stop_request(std::function<void()> stop) = 0;
    //! Registers what to do when the service manager reports a session change (Windows SCM
    //! SERVICE_CONTROL_SESSIONCHANGE: logon, logoff, lock, unlock); the core samples again.
    //! Called from the service manager's thread. Hosts without such events ignore it.
    virtual void on_session_change(std::function<void()> changed) { (void)changed; }
    //! The agent's process id (status shows it, so an admin can find the process).
    virtual std::uint64_t process_id() const = 0;
};

}  // namespace tally::agent
