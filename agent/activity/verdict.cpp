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
    if (s.system_account)
        return {VerdictKind::ignored, "system account"};
    switch (s.session_class) {
        case SessionClass::greeter:
        case SessionClass::lock_screen:
        case SessionClass::manager:
        case SessionClass::background:
            return {VerdictKind::ignored,
                    std::string("session class ") + to_string(s.session_class)};
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
    if (!s.idle_s)
        return {VerdictKind::idle, "no idle signal"};
    std::int64_t idle = *s.idle_s < 0 ? 0 : *s.idle_s;
    std::string ago = "input " + std::to_string(idle) + " s ago";
    if (idle > static_cast<std::int64_t>(idle_threshold_s)) {
        return {VerdictKind::idle, ago + " (threshold " + std::to_string(idle_threshold_s) + " s)"};
    }
    return {VerdictKind::active, ago};
}

}  // namespace tally::agent
