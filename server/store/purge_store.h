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

class PurgeStore {
  public:
    virtual ~PurgeStore() = default;

    //! Deletes the metadata of every user released (30 days without signal) at least 90
    //! days ago: principal strings are replaced by a random surrogate in every table and
    //! heartbeat bytes naming them are replaced by their SHA-256.
    virtual Result<PurgeResult> purge_users(std::int64_t now) = 0;
};

}  // namespace tally::server
