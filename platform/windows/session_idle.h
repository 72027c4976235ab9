#pragma once
// Per-session idle for WtsActivitySource while `run` runs: serves the idle pipe (lazily, on
// the first sample), keeps one reporter per interactive session when running as the service
// (a foreground agent has no right to start processes in other sessions), and puts each
// fresh report over WTS LastInputTime (idle_source "session-reporter"; "wts" when there is no
// fresh report, which `probe` and `status` show).

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "agent/interfaces/activity_source.h"
#include "platform/windows/idle_report_pipe.h"
#include "platform/windows/idle_reports.h"
#include "platform/windows/session_reporters.h"

namespace tally::platform {

class SessionIdle {
  public:
    //! reporters: null in the foreground (the pipe is still served). pipes: the agent's
    //! pipe thread (shared with the status pipe).
    SessionIdle(std::wstring pipe_name, std::uint32_t sample_interval_s,
                std::shared_ptr<SessionReporters> reporters,
                std::shared_ptr<PipeServerThread> pipes = nullptr);

    //! `interactive`: sessions with a signed-in user (not session 0), as WTS lists them now.
    void update(std::vector<agent::SessionSample>& samples,
                const std::set<std::uint32_t>& interactive);

  private:
    std::shared_ptr<IdleReports> reports_;
    IdleReportPipe pipe_;
    std::shared_ptr<SessionReporters> reporters_;
    bool started_ = false;
    std::set<std::uint32_t> known_;
};

//! The reporters' send interval for a sample interval: twice per sample, at least 1 s.
std::uint32_t reporter_interval_ms(std::uint32_t sample_interval_s);

}  // namespace tally::platform
