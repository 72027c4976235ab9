#pragma once
// The idle reports the service received, per session, and the rules that use them:
// a report counts only when the pipe client runs in the session it reports for (the pipe
// tells the client's session: GetNamedPipeClientSessionId, else its process id →
// ProcessIdToSessionId), and only while it is fresh (younger than two sample intervals);
// otherwise the session keeps WTS LastInputTime. Thread-safe: the pipe thread records, the
// activity source reads on the core's thread. Pure logic, unit-tested on recorded values.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "agent/interfaces/activity_source.h"
#include "pairing/result.h"
#include "platform/windows/idle_report.h"

namespace tally::platform {

//! idle_source of a session whose idle time came from its reporter.
inline constexpr char kIdleSourceSessionReporter[] = "session-reporter";

class IdleReports {
  public:
    using Clock = std::chrono::steady_clock;

    explicit IdleReports(std::chrono::milliseconds max_age) : max_age_(max_age) {}

    //! Records r when client_session (what the pipe says about the client) is r.session;
    //! an error naming both otherwise (a user reporting for another session).
    Result<void> accept(const IdleReport& r, std::uint32_t client_session, Clock::time_point at);

    //! Seconds since the session's last input, as of `now`: the reported idle plus the time
    //! since the report; nullopt when there is none or it is older than max_age.
    std::optional<std::int64_t> fresh_idle_s(std::uint32_t session, Clock::time_point now) const;

    //! Replaces idle_s/idle_source of each sample (numeric WTS id) that has a fresh report.
    void apply(std::vector<agent::SessionSample>& samples, Clock::time_point now) const;

    void forget(std::uint32_t session);
    std::chrono::milliseconds max_age() const { return max_age_; }

  private:
    struct Entry {
        std::uint32_t idle_ms;
        Clock::time_point at;
    };
    std::chrono::milliseconds max_age_;
    mutable std::mutex mutex_;
    std::map<std::uint32_t, Entry> entries_;
};

//! max_age for a sample interval: two intervals (a reporter sends twice per interval).
std::chrono::milliseconds idle_report_max_age(std::uint32_t sample_interval_s);

}  // namespace tally::platform
