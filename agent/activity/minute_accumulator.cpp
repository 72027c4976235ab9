// Minute accounting for one heartbeat interval (see minute_accumulator.h).

#include "agent/activity/minute_accumulator.h"

#include <algorithm>

namespace tally::agent {

MinuteAccumulator::MinuteAccumulator(ActivityPolicy policy)
    : policy_(policy), mapper_(policy.hash_principals, policy.salt) {}

void MinuteAccumulator::reset(SteadyTime start) {
    start_ = start;
    device_.clear();
    users_.clear();
}

std::int64_t MinuteAccumulator::minute_of(SteadyTime t) const {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(t - start_).count();
    return secs < 0 ? 0 : secs / 60;
}

std::vector<std::string> MinuteAccumulator::add(const std::vector<SessionSample>& sessions,
                                                SteadyTime now) {
    return add(sessions, now, std::chrono::system_clock::now());
}

std::vector<std::string> MinuteAccumulator::add(const std::vector<SessionSample>& reported,
                                                SteadyTime now, WallTime wall_now) {
    std::vector<SessionSample> sessions = reported;
    idle_.correct(sessions, now, wall_now);
    std::vector<std::string> active;
    std::int64_t minute = minute_of(now);
    for (const auto& s : sessions) {
        if (classify(s, policy_.idle_threshold_s).kind != VerdictKind::active)
            continue;
        std::string principal = mapper_.map(s);
        if (principal.empty())
            continue;
        auto& u = users_[principal];
        u.local = s.local_account;
        u.minutes.insert(minute);
        u.by_kind[to_string(s.kind)].insert(minute);
        device_.insert(minute);
        if (std::find(active.begin(), active.end(), principal) == active.end()) {
            active.push_back(principal);
        }
    }
    std::sort(active.begin(), active.end());
    return active;
}

std::uint32_t MinuteAccumulator::span_minutes(SteadyTime start, SteadyTime end) {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(end - start).count();
    if (secs < 1)
        return 1;
    return static_cast<std::uint32_t>((secs + 59) / 60);
}

namespace {
// Samples taken late (after the interval's nominal end) land in the last minute, so a
// count never exceeds the interval's span.
std::uint32_t count_within(const std::set<std::int64_t>& minutes, std::uint32_t span) {
    std::set<std::int64_t> clamped;
    for (auto m : minutes)
        clamped.insert(std::min<std::int64_t>(m, span - 1));
    return static_cast<std::uint32_t>(clamped.size());
}
}  // namespace

std::uint32_t MinuteAccumulator::device_minutes(SteadyTime end) const {
    std::uint32_t span = span_minutes(start_, end);
    if (policy_.active_by_signal)
        return span;
    return count_within(device_, span);
}

std::vector<pairing::UserActivity> MinuteAccumulator::users(SteadyTime end) const {
    std::uint32_t span = span_minutes(start_, end);
    std::vector<pairing::UserActivity> out;
    for (const auto& [principal, u] : users_) {
        pairing::UserActivity a;
        a.principal = principal;
        a.local = u.local;
        a.active_minutes = count_within(u.minutes, span);
        std::uint32_t best = 0;
        for (const auto& [kind, minutes] : u.by_kind) {
            auto n = static_cast<std::uint32_t>(minutes.size());
            if (n > best) {
                best = n;
                a.kind = kind;
            }
        }
        if (a.active_minutes > 0)
            out.push_back(std::move(a));
    }
    return out;  // std::map keeps principals sorted
}

}  // namespace tally::agent
