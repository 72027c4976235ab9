#pragma once
// Counts distinct active minutes in one heartbeat interval, per user and for the device.
// A sample at steady time t falls in minute floor((t - interval start) / 60): several
// samples in one minute count once, so no count can exceed the interval's minutes.

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "agent/activity/idle_tracker.h"
#include "agent/activity/principal.h"
#include "agent/activity/verdict.h"
#include "agent/interfaces/activity_source.h"
#include "pairing/heartbeat.h"

namespace tally::agent {

struct ActivityPolicy {
    std::uint32_t idle_threshold_s = 300;
    bool active_by_signal = false;  //!< role server/kiosk: the device is active every minute
    bool hash_principals = false;
    std::string salt;
};

class MinuteAccumulator {
  public:
    explicit MinuteAccumulator(ActivityPolicy policy);

    //! Starts a new interval at `start`, forgetting the previous one's minutes (not the
    //! idle history, which spans intervals).
    void reset(SteadyTime start);
    //! Records one sampling of every session; returns the principals active in it. Idle
    //! times are first corrected by the IdleTracker against clock steps and suspend.
    std::vector<std::string> add(const std::vector<SessionSample>& sessions, SteadyTime now);
    //! The same with the wall clock reading given (tests replay recorded timelines).
    std::vector<std::string> add(const std::vector<SessionSample>& sessions, SteadyTime now,
                                 WallTime wall_now);
    //! Minutes the interval [start, end) spans: ceil(duration / 60), at least 1.
    static std::uint32_t span_minutes(SteadyTime start, SteadyTime end);
    //! Device minutes at `end` (every minute by signal for server/kiosk roles).
    std::uint32_t device_minutes(SteadyTime end) const;
    //! Users with at least one active minute, sorted by principal (PROTOCOL.md §3).
    std::vector<pairing::UserActivity> users(SteadyTime end) const;

  private:
    struct UserMinutes {
        bool local = true;
        std::set<std::int64_t> minutes;
        std::map<std::string, std::set<std::int64_t>> by_kind;
    };
    std::int64_t minute_of(SteadyTime t) const;

    ActivityPolicy policy_;
    PrincipalMapper mapper_;
    IdleTracker idle_;
    SteadyTime start_{};
    std::set<std::int64_t> device_;
    std::map<std::string, UserMinutes> users_;
};

}  // namespace tally::agent
