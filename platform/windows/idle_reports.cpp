// Fresh, session-checked idle reports (see idle_reports.h).

#include "platform/windows/idle_reports.h"

#include <algorithm>
#include <charconv>
#include <string>

namespace tally::platform {

Result<void> IdleReports::accept(const IdleReport& r, std::uint32_t client_session,
                                 Clock::time_point at) {
    if (r.session != client_session)
        return make_error("idle-report", "idle report for session " + std::to_string(r.session) +
                                             " from a client in session " +
                                             std::to_string(client_session) + ": refused");
    std::lock_guard lock(mutex_);
    entries_[r.session] = Entry{r.idle_ms, at};
    return {};
}

std::optional<std::int64_t> IdleReports::fresh_idle_s(std::uint32_t session,
                                                      Clock::time_point now) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(session);
    if (it == entries_.end())
        return std::nullopt;
    const auto age = std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.at);
    if (age.count() < 0 || age >= max_age_)
        return std::nullopt;
    return (static_cast<std::int64_t>(it->second.idle_ms) + age.count()) / 1000;
}

void IdleReports::apply(std::vector<agent::SessionSample>& samples, Clock::time_point now) const {
    for (auto& s : samples) {
        std::uint32_t id = 0;
        const char* end = s.id.data() + s.id.size();
        auto [p, ec] = std::from_chars(s.id.data(), end, id);
        if (ec != std::errc() || p != end || id == 0)
            continue;  // session 0 runs no reporter
        if (auto idle = fresh_idle_s(id, now)) {
            s.idle_s = *idle;
            s.idle_source = kIdleSourceSessionReporter;
        }
    }
}

void IdleReports::forget(std::uint32_t session) {
    std::lock_guard lock(mutex_);
    entries_.erase(session);
}

std::chrono::milliseconds idle_report_max_age(std::uint32_t sample_interval_s) {
    return std::chrono::seconds(2 * std::max<std::uint32_t>(sample_interval_s, 1));
}

}  // namespace tally::platform
