// AgentApp: sampling sessions and closing heartbeats into the spool.

#include "agent/app/agent_app.h"
#include "agent/log.h"
#include "pairing/heartbeat.h"

namespace tally::agent {

void AgentApp::sample() {
    auto sessions = parts_.activity->sessions();
    active_users_now_ = builder_.add_sample(sessions, std::chrono::steady_clock::now());
    if (auto err = parts_.activity->last_error(); !err.empty()) {
        log_debug("activity", parts_.activity->name() + ": " + err);
    }
}

void AgentApp::close_heartbeat(bool partial) {
    if (!builder_.is_open())
        return;
    auto now = std::chrono::steady_clock::now();
    ChainPosition chain{spool_->next_seq(), spool_->last_chain_hash()};
    if (!unsaved_.empty()) {
        chain = {unsaved_.back().first + 1, pairing::chain_hash(unsaved_.back().second)};
    }
    pairing::Heartbeat hb = builder_.close(now, chain, host_facts_());
    std::string bytes = pairing::encode_heartbeat(hb);
    log_debug("heartbeat", std::string(partial ? "partial " : "") + "heartbeat " +
                               std::to_string(hb.seq) + ": device " +
                               std::to_string(hb.device_active_minutes) + " min, " +
                               std::to_string(hb.users.size()) + " active users");
    unsaved_.emplace_back(hb.seq, std::move(bytes));
    flush_unsaved();
    std::int64_t day = hb.start >= 0 ? hb.start / 86400 : -1;
    if (day != today_) {
        today_ = day;
        active_minutes_today_ = 0;
    }
    active_minutes_today_ += hb.device_active_minutes;
    if (state_.state() == AgentState::standalone)
        apply_retention();
    if (partial)
        return;
    // Heartbeats tile: the next starts where this one ended unless the wall clock moved.
    std::int64_t wall = wall_now();
    std::int64_t next_start = (wall - hb.end >= -2 && wall - hb.end <= 2) ? hb.end : wall;
    interval_start_ = now;
    builder_.open(next_start, now);
    if (uploader_)
        uploader_->on_heartbeat_appended();
}

void AgentApp::flush_unsaved() {
    const bool was_failing = unsaved_.size() > 1;
    while (!unsaved_.empty()) {
        const auto& [seq, bytes] = unsaved_.front();
        if (auto r = spool_->append_heartbeat(seq, bytes); !r) {
            last_error_ = "cannot write heartbeat " + std::to_string(seq) + " to the spool (" +
                          std::to_string(unsaved_.size()) +
                          " waiting in memory): " + r.error().message;
            if (!was_failing)  // one line when writing starts to fail, not one per heartbeat
                log_error("spool", last_error_);
            return;
        }
        unsaved_.pop_front();
    }
    if (was_failing) {
        last_error_.clear();
        log_info("spool", "spool writable again: heartbeats kept in memory are now on disk");
    }
}

void AgentApp::apply_retention() {
    const std::int64_t cutoff =
        wall_now() - static_cast<std::int64_t>(config_.standalone_retention_days) * 86400;
    if (auto dropped = spool_->drop_older_than(cutoff); !dropped) {
        last_error_ = "retention: " + dropped.error().message;
        log_error("spool", last_error_);
    } else if (*dropped > 0) {
        log_info("spool", std::to_string(*dropped) + " heartbeat(s) older than " +
                              std::to_string(config_.standalone_retention_days) +
                              " days dropped (standalone retention)");
    }
    if (auto times = spool_->record_times()) {
        oldest_record_ = times->first;
        newest_record_ = times->second;
    }
}

}  // namespace tally::agent
