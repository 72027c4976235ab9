// LinuxActivitySource: picks logind or utmp once, reports what the chosen source sees.

#include "platform/linux/linux_activity_source.h"

#include <set>

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
    if (use_logind_ && r) {
        add_utmp_only_sessions(out);
    }
    std::lock_guard lock(mutex_);
    last_error_ = std::move(error);
    return out;
}

// Logins that never went through pam_systemd (sshd with UsePAM no, some telnet/serial
// gettys, containers sharing the host's utmp) exist only in utmp: add them, so nobody who
// types on this host is missed. X display lines (":0") are left to logind.
void LinuxActivitySource::add_utmp_only_sessions(std::vector<agent::SessionSample>& out) const {
    auto utmp = read_utmp_sessions(utmp_);
    if (!utmp)
        return;  // no utmp file on a logind host is normal
    std::set<std::string> ttys;
    for (const auto& s : out) {
        if (!s.tty.empty())
            ttys.insert(s.tty);
    }
    for (auto& u : *utmp) {
        if (u.tty.empty() || u.tty.starts_with(':') || ttys.contains(u.tty))
            continue;
        out.push_back(std::move(u));
    }
}

std::string LinuxActivitySource::name() const {
    return use_logind_ ? "logind+tty-atime" : "utmp+tty-atime";
}

std::string LinuxActivitySource::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

}  // namespace tally::platform
