#pragma once
// The verdict on one session sample: does it make its user active right now, and why.

#include <cstdint>
#include <string>

#include "agent/interfaces/activity_source.h"

namespace tally::agent {

enum class VerdictKind { active, idle, ignored };
const char* to_string(VerdictKind v);

//! idle_source of a graphical session whose desktop set logind's IdleHint: idle_s then counts
//! from IdleSinceHint, and the session is idle whatever the threshold (the desktop already
//! waited its own idle delay). While the hint is "no" the source is "logind-idle-hint", idle 0.
inline constexpr const char* kIdleSourceDesktopIdle = "logind-idle-hint=idle";

struct Verdict {
    VerdictKind kind = VerdictKind::ignored;
    std::string reason;  //!< short, for probe and debug logs: "input 12 s ago", "locked"
};

//! DESIGN.md §2: system accounts, greeters/lock screens/managers/background sessions and
//! closing sessions never count; locked or disconnected sessions are idle whatever their
//! input; so is a session without an idle signal (never guessed active), one whose last input
//! lies in the future (clock stepped back) and one its desktop reports idle; otherwise the
//! session is active when its last input is within idle_threshold_s.
Verdict classify(const SessionSample& s, std::uint32_t idle_threshold_s);

}  // namespace tally::agent
