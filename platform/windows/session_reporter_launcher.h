#pragma once
// The Windows side of SessionReporters: `tally-agent.exe __session-reporter --pipe NAME
// --interval-ms N` started in a session with that session's user token (WTSQueryUserToken,
// which needs the service's LocalSystem/SeTcbPrivilege, then CreateProcessAsUserW on
// winsta0\default, no window). Every reporter is put in one job object with
// KILL_ON_JOB_CLOSE, so none outlives the service even when the service is killed.

#include <memory>
#include <string>

#include "platform/windows/session_reporters.h"
#include "platform/windows/unique_handle.h"

namespace tally::platform {

class SessionReporterLauncher : public ReporterLauncher {
  public:
    //! exe: the reporter's image; empty: this process's own exe (the service's case).
    SessionReporterLauncher(std::wstring pipe_name, std::uint32_t interval_ms,
                            std::wstring exe = {});
    Result<std::unique_ptr<ReporterProcess>> launch(std::uint32_t session) override;

  private:
    std::wstring pipe_name_;
    std::uint32_t interval_ms_;
    std::wstring exe_;
    UniqueHandle job_;
};

//! The reporter's command line (exe quoted), e.g.
//! "C:\...\tally-agent.exe" __session-reporter --pipe \\.\pipe\tally-agent-idle --interval-ms 30000
std::wstring reporter_command_line(const std::wstring& exe, const std::wstring& pipe_name,
                                   std::uint32_t interval_ms);

}  // namespace tally::platform
