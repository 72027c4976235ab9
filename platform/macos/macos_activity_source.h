#pragma once
// agent::ActivitySource on macOS: the console user (SCDynamicStoreCopyConsoleUser) with the
// system-wide HIDIdleTime, plus utmpx logins (SSH, Terminal ttys; the POSIX reader with tty
// atime idle), combined by console_sessions.h. No lock signal: see README.md.

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "agent/config.h"
#include "agent/interfaces/activity_source.h"
#include "platform/macos/account_origin.h"
#include "platform/macos/console_user.h"
#include "platform/posix/utmp_sessions.h"

namespace tally::platform {

//! Regular macOS accounts start at uid 501; system accounts (_www, _mbsetupuser…) are below.
inline constexpr std::uint32_t kMacFirstUserUid = 501;

class MacActivitySource : public agent::ActivitySource {
  public:
    explicit MacActivitySource(const agent::Config& config);

    std::vector<agent::SessionSample> sessions() override;
    std::string name() const override { return "scdynamicstore+hid+utmpx"; }
    std::string last_error() const override;

  private:
    void apply_origin(agent::SessionSample& s);

    ConsoleUserReader console_;
    UtmpOptions utmp_;
    std::map<std::string, AccountOrigin> origins_;  //!< Open Directory answers by user name
    mutable std::mutex mutex_;
    std::string last_error_;
};

}  // namespace tally::platform
