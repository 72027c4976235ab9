#pragma once
// The calling process's own session and its idle: GetLastInputInfo (user32, loaded on first
// use; it covers the caller's session only) turned into an age with GetTickCount (wrap-safe,
// idle_report.h). The session reporter sends this; `probe`, run in a user's session, uses it
// for that session too.

#include <vector>

#include "agent/interfaces/activity_source.h"
#include "pairing/result.h"
#include "platform/windows/idle_report.h"

namespace tally::platform {

Result<IdleReport> measure_own_session_idle();

//! For `probe` and other one-shot commands: the sample of the caller's own session (never
//! session 0) takes the caller's GetLastInputInfo, idle_source "session-reporter".
void apply_own_session_idle(std::vector<agent::SessionSample>& samples);

}  // namespace tally::platform
