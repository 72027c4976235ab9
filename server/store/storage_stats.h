#pragma once
// How big the database is now (GET /metrics): the files on disk and the evidence rows.

#include <cstdint>

namespace tally::server {

struct StorageStats {
    std::int64_t database_bytes = 0;  //!< the main database file
    std::int64_t wal_bytes = 0;       //!< its write-ahead log (0 when absent)
    std::int64_t evidence_rows = 0;   //!< evidence batches (schema 10) + held heartbeats
    //! Group commit (SQLite): transactions committed since start and the units (batches and
    //! other writes) they held; 0 where the backend has none.
    std::int64_t commit_transactions = 0;
    std::int64_t commit_units = 0;
};

}  // namespace tally::server
