// One reporter per interactive session (see session_reporters.h).

#include "platform/windows/session_reporters.h"

#include <algorithm>

namespace tally::platform {
namespace {

constexpr std::chrono::milliseconds kFirstBackoff{1000};
constexpr std::chrono::milliseconds kMaxBackoff{5 * 60 * 1000};
//! A reporter that lived this long was healthy: its death starts the backoff afresh.
constexpr std::chrono::minutes kHealthyLife{5};

}  // namespace

std::chrono::milliseconds reporter_backoff(unsigned failures) {
    if (failures == 0)
        return std::chrono::milliseconds(0);
    const unsigned doublings = std::min(failures - 1, 20u);
    return std::min(kFirstBackoff * (1LL << doublings), kMaxBackoff);
}

std::string SessionReporters::reconcile(const std::set<std::uint32_t>& wanted,
                                        Clock::time_point now) {
    // Gone sessions (logoff): the slot's process is terminated and reaped with it.
    std::erase_if(slots_, [&](const auto& kv) { return !wanted.contains(kv.first); });
    std::string problems;
    for (std::uint32_t session : wanted)
        problems += step(session, slots_[session], now);
    return problems;
}

std::string SessionReporters::step(std::uint32_t session, Slot& slot, Clock::time_point now) {
    if (slot.process && slot.process->alive())
        return {};
    std::string problem;
    if (slot.process) {
        slot.process.reset();  // reap
        slot.failures = now - slot.started >= kHealthyLife ? 1 : slot.failures + 1;
        slot.next_try = now + reporter_backoff(slot.failures);
        problem = "session reporter in session " + std::to_string(session) +
                  " ended; restarting in " +
                  std::to_string(reporter_backoff(slot.failures).count()) + " ms\n";
    }
    if (now < slot.next_try)
        return problem;
    auto started = launcher_->launch(session);
    if (!started) {
        ++slot.failures;
        slot.next_try = now + reporter_backoff(slot.failures);
        return problem + "session reporter in session " + std::to_string(session) + ": " +
               started.error().message + " (next try in " +
               std::to_string(reporter_backoff(slot.failures).count()) + " ms)\n";
    }
    slot.process = std::move(*started);
    slot.started = now;
    return problem;
}

std::size_t SessionReporters::running() const {
    return static_cast<std::size_t>(std::count_if(
        slots_.begin(), slots_.end(), [](const auto& kv) { return kv.second.process != nullptr; }));
}

}  // namespace tally::platform
