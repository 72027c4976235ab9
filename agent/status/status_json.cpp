// Status as JSON (see status.h). Parsing is tolerant of missing keys (older agents) and
// strict on types.

#include <nlohmann/json.hpp>

#include "agent/status/status.h"
#include "pairing/time_format.h"

namespace tally::agent {
namespace {

std::string time_or_empty(std::int64_t t) {
    return t > 0 ? pairing::format_rfc3339(t) : "";
}

template <class T>
void read(const nlohmann::json& doc, const char* key, T& out) {
    auto it = doc.find(key);
    if (it != doc.end() && !it->is_null())
        out = it->get<T>();
}

void read_time(const nlohmann::json& doc, const char* key, std::int64_t& out) {
    auto it = doc.find(key);
    if (it == doc.end() || !it->is_string())
        return;
    if (auto t = pairing::parse_rfc3339(it->get<std::string>()))
        out = *t;
}

}  // namespace

std::string status_to_json(const Status& s) {
    nlohmann::json doc = {
        {"running", s.running},
        {"paired", s.paired},
        {"mode", s.mode},
        {"state", s.state},
        {"device_id", s.device_id},
        {"tenant", s.tenant},
        {"server_url", s.server_url},
        {"queued", s.queued},
        {"last_seq", s.last_seq},
        {"acked_through", s.acked_through},
        {"spool_bytes", s.spool_bytes},
        {"spool_max_bytes", s.spool_max_bytes},
        {"gaps", s.gaps},
        {"spool_problems", s.spool_problems},
        {"retention_days", s.retention_days},
        {"oldest_record", time_or_empty(s.oldest_record)},
        {"newest_record", time_or_empty(s.newest_record)},
        {"out_of_window", s.out_of_window},
        {"last_upload_at", time_or_empty(s.last_upload_at)},
        {"upload_failures", s.upload_failures},
        {"unsaved_heartbeats", s.unsaved_heartbeats},
        {"last_error", s.last_error},
        {"clock_offset_s", s.clock_offset_s},
        {"active_users_now", s.active_users_now},
        {"active_minutes_today", s.active_minutes_today},
        {"upload_interval_s", s.upload_interval_s},
        {"activity_source", s.activity_source},
        {"key_storage", s.key_storage},
        {"version", s.version},
        {"pid", s.pid},
        {"started_at", time_or_empty(s.started_at)},
        {"updated_at", time_or_empty(s.updated_at)},
    };
    // Error texts may carry bytes a misbehaving server sent: replace invalid UTF-8 rather
    // than throw, so status always renders.
    return doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Status> status_from_json(const std::string& text) {
    auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        return make_error("status", "status is not a JSON object");
    }
    Status s;
    try {
        read(doc, "running", s.running);
        read(doc, "paired", s.paired);
        read(doc, "mode", s.mode);
        read(doc, "state", s.state);
        read(doc, "device_id", s.device_id);
        read(doc, "tenant", s.tenant);
        read(doc, "server_url", s.server_url);
        read(doc, "queued", s.queued);
        read(doc, "last_seq", s.last_seq);
        read(doc, "acked_through", s.acked_through);
        read(doc, "spool_bytes", s.spool_bytes);
        read(doc, "spool_max_bytes", s.spool_max_bytes);
        read(doc, "gaps", s.gaps);
        read(doc, "spool_problems", s.spool_problems);
        read(doc, "retention_days", s.retention_days);
        read_time(doc, "oldest_record", s.oldest_record);
        read_time(doc, "newest_record", s.newest_record);
        read(doc, "out_of_window", s.out_of_window);
        read_time(doc, "last_upload_at", s.last_upload_at);
        read(doc, "upload_failures", s.upload_failures);
        read(doc, "unsaved_heartbeats", s.unsaved_heartbeats);
        read(doc, "last_error", s.last_error);
        read(doc, "clock_offset_s", s.clock_offset_s);
        read(doc, "active_users_now", s.active_users_now);
        read(doc, "active_minutes_today", s.active_minutes_today);
        read(doc, "upload_interval_s", s.upload_interval_s);
        read(doc, "activity_source", s.activity_source);
        read(doc, "key_storage", s.key_storage);
        read(doc, "version", s.version);
        read(doc, "pid", s.pid);
        read_time(doc, "started_at", s.started_at);
        read_time(doc, "updated_at", s.updated_at);
    } catch (const nlohmann::json::exception& e) {
        return make_error("status",
                          std::string("status has a field of the wrong type: ") + e.what());
    }
    return s;
}

}  // namespace tally::agent
