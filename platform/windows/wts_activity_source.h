#pragma once
// agent::ActivitySource on Windows: WTSEnumerateSessionsW + WTSQuerySessionInformationW
// (WTSSessionInfoEx: user, state, lock flags, LastInputTime; WTSClientProtocolType: console
// or RDP) on every sample. Session 0, logon screens and disconnected sessions never count
// (the core's verdicts, on the facts mapped in wts_session_facts.h). While `run` runs, a
// SessionIdle puts each session's own reporter (GetLastInputInfo) over WTS LastInputTime,
// which is unreliable for console sessions (see README.md).

#include <memory>
#include <string>

#include "agent/interfaces/activity_source.h"
#include "platform/windows/session_idle.h"

namespace tally::platform {

class WtsActivitySource : public agent::ActivitySource {
  public:
    //! idle: null outside `run` (probe, status): WTS LastInputTime only.
    explicit WtsActivitySource(std::unique_ptr<SessionIdle> idle = nullptr);
    std::vector<agent::SessionSample> sessions() override;
    std::string name() const override { return "wts"; }
    std::string last_error() const override { return error_; }

  private:
    std::string computer_;
    bool windows7_family_ = false;
    std::string error_;
    std::unique_ptr<SessionIdle> idle_;
};

//! True on Windows 7 / Server 2008 R2 (NT 6.1), by RtlGetVersion (no manifest lies).
bool is_windows7_family();

}  // namespace tally::platform
