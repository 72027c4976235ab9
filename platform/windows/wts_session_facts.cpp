// WTS facts → SessionSample (see wts_session_facts.h).

#include "platform/windows/wts_session_facts.h"

namespace tally::platform {

const char* to_string(WtsState s) {
    switch (s) {
        case WtsState::active:
            return "active";
        case WtsState::connected:
            return "connected";
        case WtsState::connect_query:
            return "connect-query";
        case WtsState::shadow:
            return "shadow";
        case WtsState::disconnected:
            return "disconnected";
        case WtsState::idle:
            return "idle";
        case WtsState::listen:
            return "listen";
        case WtsState::reset:
            return "reset";
        case WtsState::down:
            return "down";
        case WtsState::init:
            return "init";
    }
    return "unknown";
}

std::optional<bool> wts_locked(std::int32_t flags, bool windows7_family) {
    // WTSINFOEX_LEVEL1 docs: on Windows 7 / Server 2008 R2 LOCK and UNLOCK are swapped.
    if (flags == 0)
        return !windows7_family;
    if (flags == 1)
        return windows7_family;
    return std::nullopt;
}

bool has_signed_in_user(const WtsSessionFacts& f) {
    return f.id != 0 && !f.user.empty() &&
           (f.state == WtsState::active || f.state == WtsState::connected ||
            f.state == WtsState::disconnected);
}

std::optional<agent::SessionSample> sample_from_wts(const WtsSessionFacts& f) {
    if (f.state == WtsState::listen || f.state == WtsState::down || f.state == WtsState::init ||
        f.state == WtsState::reset)
        return std::nullopt;
    agent::SessionSample s;
    s.id = std::to_string(f.id);
    s.source = "wts";
    s.user = f.user;
    s.tty = f.station;
    s.kind = f.protocol == 2 ? agent::SessionKind::rdp : agent::SessionKind::console;
    s.local_account = f.domain.empty() || f.domain == f.computer;
    s.principal = f.upn ? *f.upn : (f.domain.empty() ? f.user : f.domain + "\\" + f.user);
    s.state = f.state == WtsState::disconnected ? "disconnected"
              : f.state == WtsState::active     ? "active"
                                                : to_string(f.state);
    if (f.id == 0) {
        s.session_class = agent::SessionClass::background;  // session 0: services only
    } else if (f.user.empty()) {
        s.session_class = agent::SessionClass::greeter;  // logon screen, nobody signed in
    }
    s.locked = wts_locked(f.session_flags, f.windows7_family);
    s.idle_source = "wts";
    if (f.last_input_filetime > 0 && f.current_filetime > 0)
        s.idle_s = (f.current_filetime - f.last_input_filetime) / 10'000'000;
    return s;
}

}  // namespace tally::platform
