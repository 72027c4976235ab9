// LinuxActivitySource: picks logind or utmp once, reports what the chosen source sees.

#include "platform/linux/linux_activity_source.h"

namespace tally::platform {

LinuxActivitySource::LinuxActivitySource(const agent::Config& config) {
    const std::filesystem::path utmp_path =
        config.utmp_path.empty() ? std::string("/var/run/utmp") : config.utmp_path;
    const std::filesystem::path dev_dir =
        config.dev_dir.empty() ? std::string("/dev") : config.dev_dir;
    utmp_ = UtmpOptions{utmp_path, dev_dir, config.uid_min};
    logind_ = LogindOptions{dev_dir, config.uid_min, utmp_path};
    // An explicit utmp file means "read this": tests and logind-less hosts.
    use_logind_ = config.utmp_path.empty() && logind_running();
}

std::vector<agent::SessionSample> LinuxActivitySource::sessions() {
    std::string error;
    Result<std::vector<agent::SessionSample>> r =
        use_logind_ ? read_logind_sessions(logind_, error) : read_utmp_sessions(utmp_);
    std::vector<agent::SessionSample> out;
    if (r) {
        out = std::move(*r);
    } else {
        error = r.error().message;
    }
    std::lock_guard lock(mutex_);
    last_error_ = std::move(error);
    return out;
}

std::string LinuxActivitySource::name() const {
    return use_logind_ ? "logind+tty-atime" : "utmp+tty-atime";
}

std::string LinuxActivitySource::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

}  // namespace tally::platform
