#pragma once
// agent::ActivitySource on Windows: WTSEnumerateSessionsW + WTSQuerySessionInformationW
// (WTSSessionInfoEx: user, state, lock flags, LastInputTime; WTSClientProtocolType: console
// or RDP) on every sample. Session 0, logon screens and disconnected sessions never count
// (the core's verdicts, on the facts mapped in wts_session_facts.h).

#include <string>

#include "agent/interfaces/activity_source.h"

namespace tally::platform {

class WtsActivitySource : public agent::ActivitySource {
  public:
    WtsActivitySource();
    std::vector<agent::SessionSample> sessions() override;
    std::string name() const override { return "wts"; }
    std::string last_error() const override { return error_; }

  private:
    std::string computer_;
    bool windows7_family_ = false;
    std::string error_;
};

//! True on Windows 7 / Server 2008 R2 (NT 6.1), by RtlGetVersion (no manifest lies).
bool is_windows7_family();

}  // namespace tally::platform
