#pragma once
// The purge of user metadata (DESIGN.md §5 rule 4).
// One of the narrow store interfaces (store.h lists them); SqliteStore implements them all
// and callers take only the one they need. Implementations are safe to call from several
// threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_records.h"

namespace tally::server {

//! What purge_evidence did.
struct EvidencePurgeResult {
    std::int64_t batches_deleted = 0;    //!< evidence batches past evidence_retention_days
    std::int64_t batches_pruned = 0;     //!< batches whose short hashes left the window
    std::int64_t batches_compacted = 0;  //!< signed bodies stored in their compact form
    std::int64_t batches_packed = 0;     //!< batches moved into packs (a past day's)
    std::int64_t packs_written = 0;      //!< evidence packs (a device-day each) written
};

//! How long evidence is kept (DESIGN.md §5 "Storage at scale").
struct EvidencePolicy {
    std::int64_t retention_days = 400;  //!< evidence_retention_days
    std::int64_t window_days = 35;      //!< max_backfill_days: a seq can arrive this long
    bool pack = true;  //!< SQLite: pack batches into device-days (off: bench/store --no-pack)
    //! SQLite: a UTC day's batches are packed once the day ended at least this many days ago
    //! (their short hashes kept beside the pack until the window ends). Not a config key: the
    //! server keeps this default; bench/store sets window + 1 to measure packing at the window.
    std::int64_t pack_after_days = 1;
};

class PurgeStore {
  public:
    virtual ~PurgeStore() = default;

    //! Deletes the metadata of every user released (30 days without signal) at least 90
    //! days ago: principal strings are replaced by a random surrogate in every table and
    //! heartbeat bytes naming them are replaced by their SHA-256.
    virtual Result<PurgeResult> purge_users(std::int64_t now) = 0;

    //! Deletes evidence batches whose heartbeats all started more than retention_days before
    //! `now` (the rollups stay), drops the dedupe short hashes of batches past the window,
    //! stores signed bodies in a compact form that rebuilds their exact bytes where it can,
    //! and (SQLite) packs a device-day of batches into one row once the day has ended
    //! (EvidencePolicy::pack_after_days; its short hashes stay beside the pack until the window).
    //! A store that keeps no batch evidence does nothing.
    virtual Result<EvidencePurgeResult> purge_evidence(std::int64_t now,
                                                       const EvidencePolicy& policy) {
        static_cast<void>(now);
        static_cast<void>(policy);
        return EvidencePurgeResult{};
    }
};

}  // namespace tally::server
