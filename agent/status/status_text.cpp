// Status for people (see status.h).

#include <sstream>

#include "agent/status/status.h"
#include "pairing/time_format.h"

namespace tally::agent {

std::string render_status_text(const Status& s, std::int64_t now) {
    std::ostringstream o;
    auto when = [now](std::int64_t t) {
        if (t <= 0)
            return std::string("never");
        return pairing::format_rfc3339(t) + " (" + std::to_string(now - t) + " s ago)";
    };
    o << "tally-agent " << (s.version.empty() ? "?" : s.version) << ": "
      << (s.running ? "running" : "NOT RUNNING (last known status)") << "\n";
    o << "  state:          " << s.state << " (mode " << s.mode << ")\n";
    if (s.paired) {
        o << "  device:         " << s.device_id << " in tenant " << s.tenant << "\n";
        o << "  server:         " << s.server_url << "\n";
    }
    o << "  heartbeats:     last seq " << s.last_seq << ", acknowledged through " << s.acked_through
      << ", " << s.queued << " queued\n";
    o << "  spool:          " << s.spool_bytes << " of " << s.spool_max_bytes << " bytes, "
      << s.gaps << " declared gaps\n";
    if (s.mode == "standalone") {
        o << "  retention:      " << s.retention_days << " days (no uploads: export bundles)\n";
        o << "  oldest record:  " << when(s.oldest_record) << "\n";
        o << "  newest record:  " << when(s.newest_record) << "\n";
    }
    o << "  last upload:    " << when(s.last_upload_at) << "\n";
    if (!s.last_error.empty())
        o << "  last error:     " << s.last_error << "\n";
    o << "  clock offset:   " << s.clock_offset_s << " s\n";
    o << "  active now:     ";
    if (s.active_users_now.empty())
        o << "(nobody)";
    for (std::size_t i = 0; i < s.active_users_now.size(); ++i) {
        o << (i ? ", " : "") << s.active_users_now[i];
    }
    o << "\n  active today:   " << s.active_minutes_today << " device minutes\n";
    if (!s.activity_source.empty())
        o << "  activity from:  " << s.activity_source << "\n";
    if (!s.key_storage.empty())
        o << "  key storage:    " << s.key_storage << "\n";
    auto problems = status_problems(s, now);
    int code = status_exit_code(s, now);
    o << "  health:         "
      << (code == 0   ? "healthy"
          : code == 1 ? "degraded"
          : code == 2 ? "needs attention"
                      : "not running")
      << "\n";
    for (const auto& p : problems)
        o << "    - " << p << "\n";
    return o.str();
}

}  // namespace tally::agent
