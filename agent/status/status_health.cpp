// Status exit codes and the reasons behind them (see status.h).

#include <cstdlib>

#include "agent/status/status.h"

namespace tally::agent {
namespace {

bool needs_attention(const Status& s) {
    if (s.mode == "paired" && !s.paired)
        return true;
    return s.state == "revoked" || s.state == "tenant_inactive" || s.state == "clone_detected" ||
           s.state == "auth_failed" || s.state == "unpaired" || s.state == "retired";
}

bool upload_in_trouble(const Status& s) {
    return s.running && s.upload_waiting_s > kUploadTroubleAfterS;
}

}  // namespace

std::vector<std::string> status_problems(const Status& s, std::int64_t now) {
    std::vector<std::string> p;
    if (s.mode == "paired" && !s.paired)
        p.push_back("not paired: run tally-agent pair");
    if (s.state == "revoked")
        p.push_back("the server revoked or retired this device");
    if (s.state == "retired")
        p.push_back("the device was retired (tally-agent retire): uninstall the agent");
    if (s.state == "tenant_inactive")
        p.push_back("the tenant is inactive");
    if (s.state == "clone_detected") {
        p.push_back("the credential was made on another machine (cloned image): pair again");
    }
    if (s.state == "auth_failed")
        p.push_back("the server does not accept this device's key");
    if (!s.running)
        p.push_back("the agent is not running");
    if (s.unsaved_heartbeats > 0) {
        p.push_back("the spool cannot be written (disk full?): " +
                    std::to_string(s.unsaved_heartbeats) + " heartbeat(s) waiting in memory");
    }
    if (s.upload_failures > 0)
        p.push_back("uploads are failing: " + s.last_error);
    if (upload_in_trouble(s)) {
        p.push_back("an upload has waited " + std::to_string(s.upload_waiting_s) +
                    " s for the server's answer (slow or stalled server)");
    }
    std::int64_t since = s.last_upload_at > 0 ? s.last_upload_at : s.started_at;
    if (s.mode == "paired" && s.queued > 0 && since > 0 &&
        now - since > 3 * static_cast<std::int64_t>(s.upload_interval_s)) {
        p.push_back("no successful upload for more than 3 upload intervals");
    }
    if (s.spool_max_bytes > 0 && s.spool_bytes * 10 > s.spool_max_bytes * 9) {
        p.push_back("the spool is over 90 % full");
    }
    if (std::llabs(s.clock_offset_s) > 300) {
        p.push_back("the clock is off by " + std::to_string(s.clock_offset_s) + " s");
    }
    return p;
}

int status_exit_code(const Status& s, std::int64_t now) {
    if (needs_attention(s))
        return 2;
    if (!s.running)
        return 3;
    if (s.unsaved_heartbeats > 0)
        return 1;
    if (s.mode == "paired" && (s.upload_failures > 0 || upload_in_trouble(s)))
        return 1;
    std::int64_t since = s.last_upload_at > 0 ? s.last_upload_at : s.started_at;
    if (s.mode == "paired" && s.queued > 0 && since > 0 &&
        now - since > 3 * static_cast<std::int64_t>(s.upload_interval_s)) {
        return 1;
    }
    if (s.spool_max_bytes > 0 && s.spool_bytes * 10 > s.spool_max_bytes * 9)
        return 1;
    if (std::llabs(s.clock_offset_s) > 300)
        return 1;
    return 0;
}

}  // namespace tally::agent
