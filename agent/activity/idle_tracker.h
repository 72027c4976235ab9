#pragma once
// Makes a session's idle time immune to wall-clock steps and honest across suspend.
//
// Platforms report idle as "wall now - wall time of the last input" (tty atime, logind
// IdleSinceHint, WTS LastInputTime). A backward clock step (NTP, an admin's `date`) would
// make old input look recent and invent active minutes. So the reported input time is used
// only as a marker: input happened when the marker *changed* between two samples, and its
// age is then measured on the steady clock. The reported idle still wins when it is larger:
// the steady clock stops during suspend and the wall clock does not, so a suspended span
// counts as idle, and a forward step costs at most the time until the next input.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent/interfaces/activity_source.h"

namespace tally::agent {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

class IdleTracker {
  public:
    //! Rewrites `idle_s` of every session to the trustworthy value and forgets sessions that
    //! are gone. A first sight whose input lies in the future (the clock was stepped back
    //! since) has no trustworthy idle yet: idle_s becomes nullopt and idle_source says why.
    void correct(std::vector<SessionSample>& sessions, SteadyTime steady_now, WallTime wall_now);

  private:
    struct Seen {
        std::int64_t marker = 0;               //!< wall seconds of the last input, as reported
        std::optional<SteadyTime> last_input;  //!< steady time of that input, when known
        SteadyTime sampled_at{};
    };
    std::map<std::string, Seen> seen_;
};

}  // namespace tally::agent
