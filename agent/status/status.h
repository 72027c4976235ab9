#pragma once
// Status: one type shared by the running agent (served over the StatusChannel and written
// to <state>/status.json) and the CLI (`status`, `--status`), whichever source it came from.

#include <cstdint>
#include <string>
#include <vector>

#include "pairing/result.h"

namespace tally::agent {

struct Status {
    bool running = false;
    bool paired = false;
    std::string mode = "paired";     //!< paired|standalone
    std::string state = "unpaired";  //!< to_string(AgentState)
    std::string device_id;
    std::string tenant;
    std::string server_url;
    std::uint64_t queued = 0;  //!< heartbeats waiting for an acknowledgement
    std::uint64_t last_seq = 0;
    std::uint64_t acked_through = 0;
    std::uint64_t spool_bytes = 0;
    std::uint64_t spool_max_bytes = 0;
    std::uint64_t gaps = 0;                   //!< heartbeats declared lost (spool full or corrupt)
    std::vector<std::string> spool_problems;  //!< what the spool repaired at start (moved aside)
    std::uint32_t retention_days = 0;         //!< standalone: heartbeats kept this long (0: paired)
    std::int64_t oldest_record = 0;           //!< start of the oldest heartbeat held; 0 none
    std::int64_t newest_record = 0;           //!< end of the newest heartbeat held; 0 none
    std::uint64_t out_of_window = 0;    //!< acked but held by the server outside its time window
    std::int64_t last_upload_at = 0;    //!< Unix seconds of the last acknowledged upload; 0 never
    std::uint32_t upload_failures = 0;  //!< consecutive failed uploads
    std::uint32_t unsaved_heartbeats = 0;  //!< closed but not yet on disk (spool write failing)
    std::string last_error;
    std::int64_t clock_offset_s = 0;  //!< server clock minus agent clock
    std::vector<std::string> active_users_now;
    std::uint32_t active_minutes_today = 0;  //!< device active minutes, UTC day
    std::uint32_t upload_interval_s = 3600;
    std::string activity_source;
    std::string key_storage;  //!< "file", "tpm", "software" (KeyStore::storage())
    std::string version;
    std::uint64_t pid = 0;
    std::int64_t started_at = 0;
    std::int64_t updated_at = 0;
};

std::string status_to_json(const Status& s);
Result<Status> status_from_json(const std::string& json);
//! Several lines for people.
std::string render_status_text(const Status& s, std::int64_t now);

//! For RMM monitors (DESIGN.md §6): 2 needs attention (not paired in paired mode, revoked,
//! tenant inactive, clone detected, rejected credentials); else 3 when the agent is not
//! running; else 1 degraded (uploads failing, no success for 3 upload intervals while data
//! waits, spool over 90 %, clock off by more than 300 s); else 0.
int status_exit_code(const Status& s, std::int64_t now);
//! Why status_exit_code is not 0, in words (empty when healthy).
std::vector<std::string> status_problems(const Status& s, std::int64_t now);

}  // namespace tally::agent
