// MacActivitySource: reads the three sources, console_sessions.h decides.

#include "platform/macos/macos_activity_source.h"

#include <algorithm>

#include "platform/macos/console_sessions.h"
#include "platform/macos/hid_idle_time.h"
#include "platform/macos/open_directory_account.h"
#include "platform/posix/account_info.h"

namespace tally::platform {

MacActivitySource::MacActivitySource(const agent::Config& config) {
    utmp_.utmp_path = config.utmp_path.empty() ? std::string("/var/run/utmpx") : config.utmp_path;
    utmp_.dev_dir = config.dev_dir.empty() ? std::string("/dev") : config.dev_dir;
    // The shared default uid_min (1000, Linux's UID_MIN) would make every Mac user a system
    // account: on macOS it is capped at 501, where regular accounts start.
    utmp_.uid_min = std::min(config.uid_min, kMacFirstUserUid);
}

std::vector<agent::SessionSample> MacActivitySource::sessions() {
    std::string errors;
    auto append = [&errors](const std::string& e) {
        if (!e.empty())
            errors += (errors.empty() ? "" : "; ") + e;
    };

    const ConsoleUserReading console = console_.read();
    append(console.error);
    ConsoleFacts facts{console.user, console.uid, std::nullopt};
    if (is_console_user(console.user)) {
        // HIDIdleTime is read only when someone is at the console: it is theirs alone.
        if (auto idle = read_hid_idle_seconds(); idle)
            facts.hid_idle_s = *idle;
        else
            append(idle.error().message);
    }

    std::vector<agent::SessionSample> logins;
    if (auto r = read_utmp_sessions(utmp_); r)
        logins = std::move(*r);
    else
        append(r.error().message);

    const std::uint32_t uid_min = utmp_.uid_min;
    auto out = macos_sessions(facts, std::move(logins), [uid_min](agent::SessionSample& s) {
        apply_account(account_by_name(s.user, uid_min), s);
    });
    for (auto& s : out)
        apply_origin(s);
    std::lock_guard lock(mutex_);
    last_error_ = std::move(errors);
    return out;
}

// /etc/passwd holds no Mac user, so the POSIX reader's "local" is wrong for every one of them:
// local or directory is Open Directory's answer, asked once per name.
void MacActivitySource::apply_origin(agent::SessionSample& s) {
    auto it = origins_.find(s.user);
    if (it == origins_.end()) {
        auto origin = lookup_account_origin(s.user);
        if (!origin)
            return;  // unknown now: keep the POSIX answer, ask again next sample
        it = origins_.emplace(s.user, *origin).first;
    }
    s.local_account = it->second.local_account;
    s.principal = it->second.principal;
}

std::string MacActivitySource::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

}  // namespace tally::platform
