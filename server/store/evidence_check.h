#pragma once
// What `tally-server verify-evidence` finds when it re-checks one tenant's month from the
// stored evidence (SqliteStore::verify_evidence): each counted heartbeat's stored bytes decode
// to the numbers it was counted with, each hash-chain link between stored heartbeats holds
// (or was recorded as a break when it arrived), and the usage rollups equal a recomputation
// from the heartbeats. No SQL here.

#include <cstdint>
#include <string>
#include <vector>

namespace tally::server {

struct EvidenceProblem {
    std::string device_id;
    std::uint64_t seq = 0;
    std::string what;
};

struct EvidenceCheck {
    std::string time_zone;
    std::int64_t heartbeats = 0;  //!< counted heartbeats whose start lies in the month
    std::int64_t held = 0;        //!< held (out-of-window) heartbeats in the month
    std::int64_t decoded_ok = 0;  //!< stored bytes decode to the stored numbers
    std::int64_t redacted = 0;    //!< bytes replaced by their hash by the purge (not decodable)
    std::int64_t links_checked = 0;
    std::int64_t recorded_breaks = 0;       //!< broken links recorded when they arrived
    std::vector<EvidenceProblem> problems;  //!< bytes that do not match, unrecorded breaks
    std::int64_t rollup_rows = 0;           //!< stored rollup rows of the month compared
    std::vector<std::string> rollup_differences;

    bool ok() const { return problems.empty() && rollup_differences.empty(); }
};

}  // namespace tally::server
