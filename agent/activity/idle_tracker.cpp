// Idle times that survive clock steps and suspend (see idle_tracker.h).

#include "agent/activity/idle_tracker.h"

#include <algorithm>
#include <cstdlib>

namespace tally::agent {

namespace {

// Reported idle is whole seconds and read a moment before our clock: markers within this of
// each other are the same input. Real changes are further apart (tty atime moves in ~8 s
// steps; logind's hint changes on idle transitions).
constexpr std::int64_t kMarkerTolerance_s = 1;

std::int64_t seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

}  // namespace

void IdleTracker::correct(std::vector<SessionSample>& sessions, SteadyTime steady_now,
                          WallTime wall_now) {
    const std::int64_t wall_s =
        std::chrono::duration_cast<std::chrono::seconds>(wall_now.time_since_epoch()).count();
    std::map<std::string, Seen> next;
    for (auto& s : sessions) {
        if (!s.idle_s)
            continue;
        const std::string key = s.source + "\x1f" + s.id + "\x1f" + s.user;
        const std::int64_t reported = *s.idle_s;
        Seen now{wall_s - reported, std::nullopt, steady_now};
        auto prev = seen_.find(key);
        if (prev == seen_.end()) {
            if (reported >= 0)
                now.last_input = steady_now - std::chrono::seconds(reported);
        } else if (std::abs(now.marker - prev->second.marker) <= kMarkerTolerance_s) {
            now.marker = prev->second.marker;  // same input; keep the first reading
            now.last_input = prev->second.last_input;
        } else {
            // New input since the previous sample: it happened between the two samplings,
            // whatever the wall clock did meanwhile.
            auto at = steady_now - std::chrono::seconds(std::max<std::int64_t>(reported, 0));
            now.last_input = std::clamp(at, prev->second.sampled_at, steady_now);
        }
        if (now.last_input) {
            s.idle_s = std::max(reported, seconds(steady_now - *now.last_input));
        } else {
            // Until new input moves the marker, nobody knows how old that input is.
            s.idle_s.reset();
            s.idle_source = "clock stepped back: last input lies in the future";
        }
        next.emplace(key, now);
    }
    seen_ = std::move(next);
}

}  // namespace tally::agent
