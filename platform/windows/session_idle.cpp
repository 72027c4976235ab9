// Reporters, pipe and reports together (see session_idle.h).

#include "platform/windows/session_idle.h"

#include <algorithm>

#include "agent/log.h"
#include "platform/windows/win_error.h"

namespace tally::platform {

std::uint32_t reporter_interval_ms(std::uint32_t sample_interval_s) {
    return std::max<std::uint32_t>(sample_interval_s * 1000 / 2, 1000);
}

SessionIdle::SessionIdle(std::wstring pipe_name, std::uint32_t sample_interval_s,
                         std::shared_ptr<SessionReporters> reporters,
                         std::shared_ptr<PipeServerThread> pipes)
    : reports_(std::make_shared<IdleReports>(idle_report_max_age(sample_interval_s))),
      pipe_(std::move(pipe_name), reports_, std::move(pipes)),
      reporters_(std::move(reporters)) {}

void SessionIdle::update(std::vector<agent::SessionSample>& samples,
                         const std::set<std::uint32_t>& interactive) {
    if (!started_) {
        started_ = true;
        if (auto served = pipe_.serve(); !served)
            agent::log_warn("idle", served.error().message +
                                        "; console idle times come from WTS LastInputTime");
        else
            agent::log_info("idle", "serving per-session idle reports on " + narrow(pipe_.name()));
    }
    for (std::uint32_t gone : known_)
        if (!interactive.contains(gone))
            reports_->forget(gone);
    known_ = interactive;
    if (reporters_) {
        const std::string problems = reporters_->reconcile(interactive, IdleReports::Clock::now());
        if (!problems.empty())
            agent::log_warn("idle", problems.substr(0, problems.size() - 1));
    }
    reports_->apply(samples, IdleReports::Clock::now());
}

}  // namespace tally::platform
