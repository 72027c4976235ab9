#pragma once
// Keeps one session reporter per interactive session while the service runs: started when a
// session with a signed-in user appears (at start, and at once on the SCM's session-change
// logon/unlock/connect, since those make the core sample the sessions), stopped and reaped
// when the session is gone (logoff), restarted when it dies, with a backoff (1 s doubling to
// 5 min; back to 1 s after a reporter lived 5 min). The process side sits behind
// ReporterLauncher so the rules are unit-tested without Windows sessions.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "pairing/result.h"

namespace tally::platform {

class ReporterProcess {
  public:
    virtual ~ReporterProcess() = default;  //!< terminates and reaps the process if alive
    virtual bool alive() = 0;
};

class ReporterLauncher {
  public:
    virtual ~ReporterLauncher() = default;
    virtual Result<std::unique_ptr<ReporterProcess>> launch(std::uint32_t session) = 0;
};

//! The wait before the next start after `failures` consecutive deaths or failed starts.
std::chrono::milliseconds reporter_backoff(unsigned failures);

class SessionReporters {
  public:
    using Clock = std::chrono::steady_clock;

    explicit SessionReporters(std::unique_ptr<ReporterLauncher> launcher)
        : launcher_(std::move(launcher)) {}

    //! Starts, restarts and stops reporters so that exactly the sessions in `wanted` have one.
    //! Returns what went wrong this round (one line per session), empty when nothing did.
    std::string reconcile(const std::set<std::uint32_t>& wanted, Clock::time_point now);

    std::size_t running() const;

    //! Terminates and reaps every reporter: the service's stop, before it reports
    //! SERVICE_STOPPED (an installer then removes the exe the reporters run).
    void stop_all() { slots_.clear(); }

  private:
    struct Slot {
        std::unique_ptr<ReporterProcess> process;
        unsigned failures = 0;
        Clock::time_point started{}, next_try{};
    };
    std::string step(std::uint32_t session, Slot& slot, Clock::time_point now);

    std::unique_ptr<ReporterLauncher> launcher_;
    std::map<std::uint32_t, Slot> slots_;
};

}  // namespace tally::platform
