#pragma once
// agent::ActivitySource on Linux: logind when it runs (plus utmp logins logind does not know),
// else (or when the config names a utmp file) utmp. Both take tty idle from the device's atime.

#include <mutex>
#include <string>

#include "agent/config.h"
#include "agent/interfaces/activity_source.h"
#include "platform/linux/logind_sessions.h"
#include "platform/posix/utmp_sessions.h"

namespace tally::platform {

class LinuxActivitySource : public agent::ActivitySource {
  public:
    explicit LinuxActivitySource(const agent::Config& config);

    std::vector<agent::SessionSample> sessions() override;
    std::string name() const override;
    std::string last_error() const override;

    bool uses_logind() const { return use_logind_; }

  private:
    void add_utmp_only_sessions(std::vector<agent::SessionSample>& out) const;

    bool use_logind_;
    UtmpOptions utmp_;
    LogindOptions logind_;
    mutable std::mutex mutex_;
    std::string last_error_;
};

}  // namespace tally::platform
