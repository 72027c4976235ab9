#pragma once
// What `tally-server verify-evidence` finds when it re-checks one tenant's month from the
// stored evidence (SqliteStore::verify_evidence): each stored batch with a counted heartbeat in
// the month verifies with its device's key byte for byte (signed batches) and decodes, each
// hash-chain link between counted heartbeats holds (or was recorded as a break when it
// arrived), and the usage rollups equal a recomputation from the evidence. No SQL here.

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
    std::int64_t heartbeats = 0;     //!< counted heartbeats whose start lies in the month
    std::int64_t held = 0;           //!< held (out-of-window) heartbeats in the month
    std::int64_t decoded_ok = 0;     //!< counted heartbeats whose stored bytes decode
    std::int64_t redacted = 0;       //!< re-encoded by the purge (surrogates): chain not checkable
    std::int64_t batches = 0;        //!< evidence batches read (with a counted heartbeat in range)
    std::int64_t signatures_ok = 0;  //!< signed batches whose signature verifies
    std::int64_t unsigned_batches = 0;  //!< batches kept without a signed body (bundle
                                        //!< imports, data migrated from schema 9, redacted)
    std::int64_t links_checked = 0;
    std::int64_t recorded_breaks = 0;       //!< broken links recorded when they arrived
    std::vector<EvidenceProblem> problems;  //!< bytes that do not match, unrecorded breaks
    std::int64_t rollup_rows = 0;           //!< stored rollup rows of the month compared
    std::vector<std::string> rollup_differences;

    bool ok() const { return problems.empty() && rollup_differences.empty(); }
};

}  // namespace tally::server
