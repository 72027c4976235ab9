// AgentApp: the status it serves and writes to <state>/status.json.

#include "agent/app/agent_app.h"
#include "agent/log.h"

namespace tally::agent {

Status AgentApp::make_status() const {
    Status s;
    std::int64_t now = wall_now();
    s.running = running_;
    s.mode = config_.mode;
    s.state = to_string(state_.state());
    s.paired = identity_.has_value();
    if (identity_) {
        s.device_id = identity_->device_id;
        s.tenant = identity_->tenant;
        s.server_url = config_.server_url.empty() ? identity_->server_url : config_.server_url;
    }
    if (spool_) {
        s.queued = spool_->queued();
        s.last_seq = spool_->last_seq();
        s.acked_through = spool_->acked_through();
        s.spool_bytes = spool_->bytes();
        s.spool_max_bytes = spool_->max_bytes();
        s.gaps = spool_->gaps_declared();
        s.spool_problems = spool_->problems();
        s.unsaved_heartbeats = static_cast<std::uint32_t>(unsaved_.size());
    }
    if (config_.mode == "standalone") {
        s.retention_days = config_.standalone_retention_days;
        s.oldest_record = oldest_record_;
        s.newest_record = newest_record_;
    }
    s.last_error = last_error_;
    if (uploader_) {
        s.last_upload_at = uploader_->last_upload_at();
        s.upload_failures = uploader_->consecutive_failures();
        // Heartbeats the spool refused outrank a server that cannot be reached: the first
        // is data at risk on this machine, the second only delay.
        if (!uploader_->last_error().empty() && unsaved_.empty())
            s.last_error = uploader_->last_error();
        s.clock_offset_s = uploader_->clock_offset_s().value_or(0);
        s.out_of_window = uploader_->out_of_window_total();
    }
    s.active_users_now = active_users_now_;
    std::uint32_t today = (today_ == now / 86400) ? active_minutes_today_ : 0;
    s.active_minutes_today =
        today + builder_.device_minutes_so_far(std::chrono::steady_clock::now());
    s.upload_interval_s = config_.upload_interval_s;
    s.activity_source = parts_.activity->name();
    s.key_storage = parts_.keys->storage();
    s.version = TALLY_VERSION;
    s.pid = parts_.service->process_id();
    s.started_at = started_at_;
    s.updated_at = now;
    return s;
}

void AgentApp::write_status() {
    // Not flushed: a snapshot the next heartbeat replaces; two disk flushes per heartbeat
    // were two of the agent's wake-ups. The spool (fdatasync'd) stays the record.
    auto r = parts_.files->replace_unflushed(state_dir_ / "status.json",
                                             status_to_json(make_status()) + "\n", false);
    if (!r)
        log_warn("status", "cannot write status.json: " + r.error().message);
}

}  // namespace tally::agent
