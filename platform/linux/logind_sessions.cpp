// logind sessions via sd-login and sd-bus property reads.

#include "platform/linux/logind_sessions.h"

#include <sys/stat.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-login.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>

#include "agent/activity/verdict.h"
#include "platform/posix/account_info.h"
#include "platform/posix/tty_idle.h"
#include "platform/posix/utmp_sessions.h"

namespace tally::platform {
namespace {

using agent::SessionClass;
using agent::SessionKind;

struct FreeDeleter {
    void operator()(void* p) const { std::free(p); }
};

//! Calls an sd_session_get_* that returns a malloc'ed string; "" when absent.
std::string get_string(int (*fn)(const char*, char**), const char* session) {
    char* raw = nullptr;
    if (fn(session, &raw) < 0 || raw == nullptr)
        return {};
    std::unique_ptr<char, FreeDeleter> owned(raw);
    return raw;
}

SessionClass map_class(const std::string& c) {
    if (c == "user")
        return SessionClass::user;
    if (c == "greeter")
        return SessionClass::greeter;
    if (c == "lock-screen")
        return SessionClass::lock_screen;
    if (c == "manager" || c == "manager-early")
        return SessionClass::manager;
    if (c == "background" || c == "background-light")
        return SessionClass::background;
    if (c.starts_with("user"))
        return SessionClass::user;  // user-early, user-incomplete
    return SessionClass::unknown;
}

SessionKind map_kind(const std::string& type, bool remote) {
    if (type == "x11")
        return SessionKind::x11;
    if (type == "wayland")
        return SessionKind::wayland;
    if (remote)
        return SessionKind::ssh;
    if (type == "tty")
        return SessionKind::tty;
    return SessionKind::other;
}

struct BusDeleter {
    void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};

struct GraphicalHints {
    std::optional<std::int64_t> idle_s;
    std::string source = "none";
    std::optional<bool> locked;
};

//! IdleHint/IdleSinceHint/LockedHint of one session; nullopt fields when the read failed.
GraphicalHints read_hints(sd_bus* bus, const std::string& id, std::string& error) {
    GraphicalHints h;
    char* raw_path = nullptr;
    if (sd_bus_path_encode("/org/freedesktop/login1/session", id.c_str(), &raw_path) < 0)
        return h;
    std::unique_ptr<char, FreeDeleter> path(raw_path);
    auto get = [&](const char* prop, char type, void* out) {
        sd_bus_error err = SD_BUS_ERROR_NULL;
        int rc =
            sd_bus_get_property_trivial(bus, "org.freedesktop.login1", path.get(),
                                        "org.freedesktop.login1.Session", prop, &err, type, out);
        if (rc < 0) {
            error = std::string("logind ") + prop + " of session " + id + ": " +
                    (err.message ? err.message : std::strerror(-rc));
        }
        sd_bus_error_free(&err);
        return rc >= 0;
    };
    int idle_hint = 0;
    std::uint64_t idle_since_us = 0;
    int locked = 0;
    if (get("IdleHint", 'b', &idle_hint) && get("IdleSinceHint", 't', &idle_since_us)) {
        if (idle_hint) {
            struct timespec now {};
            ::clock_gettime(CLOCK_REALTIME, &now);
            const std::int64_t now_us = std::int64_t{now.tv_sec} * 1000000 + now.tv_nsec / 1000;
            h.idle_s = (now_us - std::int64_t(idle_since_us)) / 1000000;
            h.source = agent::kIdleSourceDesktopIdle;
        } else if (idle_since_us != 0) {
            h.idle_s = 0;  // the desktop maintains the hint and says "not idle"
            h.source = "logind-idle-hint";
        } else {
            // IdleHint "no" that nobody ever set (KDE, Sway, i3, most X11 WMs): no signal.
            h.source = "none: the desktop sets no logind IdleHint";
        }
    }
    if (get("LockedHint", 'b', &locked))
        h.locked = locked != 0;
    return h;
}

//! The smallest tty idle among utmp records of `user` from `host` (ssh without a logind tty).
std::optional<std::int64_t> utmp_idle_for(const std::vector<agent::SessionSample>& utmp,
                                          const std::string& user, const std::string& host,
                                          std::string& tty) {
    std::optional<std::int64_t> best;
    for (const auto& u : utmp) {
        if (u.user != user || !u.idle_s)
            continue;
        if (!host.empty() && u.remote_host != host)
            continue;
        if (!best || *u.idle_s < *best) {
            best = u.idle_s;
            tty = u.tty;
        }
    }
    return best;
}

}  // namespace

bool logind_running() {
    struct stat st {};
    return sd_booted() > 0 && ::stat("/run/systemd/seats", &st) == 0;
}

Result<std::vector<agent::SessionSample>> read_logind_sessions(const LogindOptions& options,
                                                               std::string& error) {
    char** raw_sessions = nullptr;
    int n = sd_get_sessions(&raw_sessions);
    if (n < 0)
        return make_error("io", std::string("sd_get_sessions: ") + std::strerror(-n));
    std::vector<std::string> ids;
    for (int i = 0; i < n && raw_sessions != nullptr; ++i) {
        ids.emplace_back(raw_sessions[i]);
        std::free(raw_sessions[i]);
    }
    std::free(raw_sessions);

    std::unique_ptr<sd_bus, BusDeleter> bus;
    std::optional<std::vector<agent::SessionSample>> utmp;
    std::vector<agent::SessionSample> out;
    for (const auto& id : ids) {
        const char* sid = id.c_str();
        agent::SessionSample s;
        s.id = id;
        s.source = "logind";
        uid_t uid = 0;
        if (sd_session_get_uid(sid, &uid) < 0)
            continue;  // the session ended meanwhile
        apply_account(account_by_uid(uid, options.uid_min), s);
        const std::string type = get_string(&sd_session_get_type, sid);
        const bool remote = sd_session_is_remote(sid) > 0;
        s.kind = map_kind(type, remote);
        s.session_class = map_class(get_string(&sd_session_get_class, sid));
        s.state = get_string(&sd_session_get_state, sid);
        s.tty = get_string(&sd_session_get_tty, sid);
        s.remote_host = get_string(&sd_session_get_remote_host, sid);
        s.seat = get_string(&sd_session_get_seat, sid);
        s.idle_source = "none";

        if (s.kind == SessionKind::x11 || s.kind == SessionKind::wayland) {
            if (!bus) {
                sd_bus* b = nullptr;
                int rc = sd_bus_open_system(&b);
                if (rc < 0) {
                    error = std::string("system bus: ") + std::strerror(-rc);
                } else {
                    bus.reset(b);
                }
            }
            if (bus) {
                auto hints = read_hints(bus.get(), id, error);
                s.locked = hints.locked;
                s.idle_s = hints.idle_s;
                s.idle_source = hints.source;
            }
        } else if (!s.tty.empty()) {
            s.idle_s = tty_idle_seconds(options.dev_dir, s.tty);
            if (s.idle_s)
                s.idle_source = "tty-atime";
        } else if (s.kind == SessionKind::ssh) {
            // sshd sessions often have no tty in logind; utmp names their pts.
            if (!utmp) {
                auto r = read_utmp_sessions({options.utmp_path, options.dev_dir, options.uid_min});
                utmp = r ? std::move(*r) : std::vector<agent::SessionSample>{};
            }
            std::string tty;
            s.idle_s = utmp_idle_for(*utmp, s.user, s.remote_host, tty);
            if (s.idle_s) {
                s.idle_source = "tty-atime";
                s.tty = tty;
            }
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace tally::platform
