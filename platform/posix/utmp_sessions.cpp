// utmp parsing: live USER_PROCESS records → SessionSample, idle from the tty's atime.

#include "platform/posix/utmp_sessions.h"

#include <signal.h>
#include <utmpx.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include "platform/posix/account_info.h"
#include "platform/posix/tty_idle.h"

namespace tally::platform {
namespace {

template <std::size_t N>
std::string field(const char (&f)[N]) {
    return std::string(f, ::strnlen(f, N));
}

bool process_alive(pid_t pid) {
    if (pid <= 0)
        return false;
    // EPERM: it exists but belongs to someone else (we may not be root).
    return ::kill(pid, 0) == 0 || errno == EPERM;
}

agent::SessionSample to_sample(const struct utmpx& u, const UtmpOptions& options) {
    agent::SessionSample s;
    s.source = "utmp";
    s.tty = field(u.ut_line);
    s.id = s.tty;
    s.remote_host = field(u.ut_host);
    s.state = "active";
    apply_account(account_by_name(field(u.ut_user), options.uid_min), s);
    const bool display = s.tty.starts_with(':') || s.remote_host.starts_with(':');
    if (display) {
        // An X display line (":0") has no device; utmp carries no input time for it.
        s.kind = agent::SessionKind::x11;
        s.remote_host.clear();
    } else {
        s.kind = s.remote_host.empty() ? agent::SessionKind::tty : agent::SessionKind::ssh;
    }
    auto idle = display ? std::nullopt : tty_idle_seconds(options.dev_dir, s.tty);
    s.idle_s = idle;
    s.idle_source = idle ? "tty-atime" : "none";
    return s;
}

}  // namespace

Result<std::vector<agent::SessionSample>> read_utmp_sessions(const UtmpOptions& options) {
    std::ifstream in(options.utmp_path, std::ios::binary);
    if (!in) {
        return make_error("io", "cannot read utmp file " + options.utmp_path.string() + ": " +
                                    std::strerror(errno));
    }
    std::vector<agent::SessionSample> out;
    struct utmpx u {};
    while (in.read(reinterpret_cast<char*>(&u), sizeof u)) {
        if (u.ut_type != USER_PROCESS || u.ut_user[0] == '\0')
            continue;
        if (!process_alive(u.ut_pid))
            continue;  // a crashed login left its record behind
        out.push_back(to_sample(u, options));
    }
    return out;
}

}  // namespace tally::platform
