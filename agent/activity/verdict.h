#pragma once
// The verdict on one session sample: does it make its user active right now, and why.

#include <cstdint>
#include <string>

#include "agent/interfaces/activity_source.h"

namespace tally::agent {

enum class VerdictKind { active, idle, ignored };
const char* to_string(VerdictKind v);

struct Verdict {
    VerdictKind kind = VerdictKind::ignored;
    std::string reason;  //!< short, for probe and debug logs: "input 12 s ago", "locked"
};

//! DESIGN.md §2: system accounts, greeters/lock screens/managers/background sessions and
//! closing sessions never count; locked or disconnected sessions are idle whatever their
//! input; otherwise the session is active when its last input is within idle_threshold_s.
Verdict classify(const SessionSample& s, std::uint32_t idle_threshold_s);

}  // namespace tally::agent
