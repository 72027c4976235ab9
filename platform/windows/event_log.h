#pragma once
// The Application event log, source "Tally Agent": where the service's log lines go.

namespace tally::platform {

//! Routes agent log lines to ReportEventW (error/warning/information by level).
void install_event_log_sink();

//! Restart-on-failure (5 s, 30 s, 2 min; counter reset daily, also on a non-zero exit) and
//! a preshutdown timeout, via ChangeServiceConfig2W on our own service. Called by the
//! service itself when running (wixl cannot write ServiceConfig) and by `service install`.
void apply_recovery_actions();

}  // namespace tally::platform
