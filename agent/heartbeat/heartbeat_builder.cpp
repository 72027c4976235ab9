// Heartbeat builder (see heartbeat_builder.h).

#include "agent/heartbeat/heartbeat_builder.h"

namespace tally::agent {

HeartbeatBuilder::HeartbeatBuilder(ActivityPolicy policy) : acc_(std::move(policy)) {}

void HeartbeatBuilder::open(std::int64_t wall_start, SteadyTime now) {
    wall_start_ = wall_start;
    steady_start_ = now;
    acc_.reset(now);
    open_ = true;
}

std::vector<std::string> HeartbeatBuilder::add_sample(const std::vector<SessionSample>& sessions,
                                                      SteadyTime now) {
    if (!open_)
        return {};
    return acc_.add(sessions, now);
}

std::uint32_t HeartbeatBuilder::device_minutes_so_far(SteadyTime now) const {
    return open_ ? acc_.device_minutes(now) : 0;
}

pairing::Heartbeat HeartbeatBuilder::close(SteadyTime now, const ChainPosition& chain,
                                           const HostFacts& host) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(now - steady_start_).count();
    if (secs < 1)
        secs = 1;
    // Minutes are counted against the same span the heartbeat declares.
    SteadyTime end_steady = steady_start_ + std::chrono::seconds(secs);
    pairing::Heartbeat hb;
    hb.seq = chain.next_seq;
    hb.start = wall_start_;
    hb.end = wall_start_ + secs;
    hb.boot_id = host.boot_id;
    hb.uptime_s = host.uptime_s;
    hb.device_active_minutes = acc_.device_minutes(end_steady);
    hb.users = acc_.users(end_steady);
    hb.prev = chain.prev;
    open_ = false;
    return hb;
}

}  // namespace tally::agent
