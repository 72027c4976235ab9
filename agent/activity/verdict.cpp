// Session verdicts (see verdict.h). Order matters: "never counts" rules come before
// "not active now" rules so probe explains the most fundamental reason.

#include "agent/activity/verdict.h"

namespace tally::agent {

const char* to_string(VerdictKind v) {
    switch (v) {
        case VerdictKind::active:
            return "active";
        case VerdictKind::idle:
            return "idle";
        case VerdictKind::ignored:
            return "ignored";
    }
    return "ignored";
}

Verdict classify(const SessionSample& s, std::uint32_t idle_threshold_s) {
    if (s.system_account) {
        std::string why = "system account";
        if (s.uid)
            why += " (uid " + std::to_string(*s.uid) + ")";
        return {VerdictKind::ignored, why + ": service, daemon or below uid_min, never counts"};
    }
    switch (s.session_class) {
        case SessionClass::greeter:
        case SessionClass::lock_screen:
        case SessionClass::manager:
        case SessionClass::background:
            return {VerdictKind::ignored, std::string("session class ") +
                                              to_string(s.session_class) +
                                              ": not a user's session, never counts"};
        case SessionClass::user:
        case SessionClass::unknown:
            break;
    }
    if (s.state == "closing")
        return {VerdictKind::ignored, "session closing"};
    if (s.locked.value_or(false))
        return {VerdictKind::idle, "locked"};
    if (s.state == "disconnected")
        return {VerdictKind::idle, "disconnected"};
    if (!s.idle_s) {
        // Never guess "active": a desktop that reports nothing is shown as such.
        std::string why = "no idle signal";
        if (!s.idle_source.empty() && s.idle_source != "none")
            why += " (" + s.idle_source + ")";
        return {VerdictKind::idle, why};
    }
    if (*s.idle_s < 0) {
        return {VerdictKind::idle, "last input lies in the future (clock stepped back?)"};
    }
    const std::string ago = "input " + std::to_string(*s.idle_s) + " s ago";
    if (s.idle_source == kIdleSourceDesktopIdle) {
        return {VerdictKind::idle,
                "desktop reports idle for " + std::to_string(*s.idle_s) + " s (logind IdleHint)"};
    }
    if (*s.idle_s > static_cast<std::int64_t>(idle_threshold_s)) {
        return {VerdictKind::idle,
                "idle: " + ago + " (threshold " + std::to_string(idle_threshold_s) + " s)"};
    }
    return {VerdictKind::active, ago};
}

}  // namespace tally::agent
