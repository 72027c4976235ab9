#pragma once
// Builds one heartbeat per interval: open() labels the interval with UTC wall time and
// starts a steady-clock measure; samples go into the minute accumulator; close() (also the
// partial close at shutdown) makes the pairing::Heartbeat linked into the chain.

#include <cstdint>
#include <string>
#include <vector>

#include "agent/activity/minute_accumulator.h"
#include "agent/interfaces/platform.h"
#include "pairing/heartbeat.h"

namespace tally::agent {

//! Where the next heartbeat goes in the device's chain (from the spool).
struct ChainPosition {
    std::uint64_t next_seq = 1;
    std::string prev = pairing::kGenesisPrev;
};

class HeartbeatBuilder {
  public:
    explicit HeartbeatBuilder(ActivityPolicy policy);

    //! Opens an interval that starts at `wall_start` (Unix seconds, UTC) and `now`.
    void open(std::int64_t wall_start, SteadyTime now);
    bool is_open() const { return open_; }
    //! Records one sampling; returns the principals active in it.
    std::vector<std::string> add_sample(const std::vector<SessionSample>& sessions, SteadyTime now);
    //! Closes the interval at `now`: end = start + steady duration (at least 1 s, so end >
    //! start even for a partial heartbeat at shutdown). The builder is closed afterwards.
    pairing::Heartbeat close(SteadyTime now, const ChainPosition& chain, const HostFacts& host);
    //! Device active minutes so far in the open interval (for status).
    std::uint32_t device_minutes_so_far(SteadyTime now) const;
    std::int64_t wall_start() const { return wall_start_; }

  private:
    MinuteAccumulator acc_;
    bool open_ = false;
    std::int64_t wall_start_ = 0;
    SteadyTime steady_start_{};
};

}  // namespace tally::agent
