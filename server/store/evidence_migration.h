#pragma once
// Internal to the SQLite store: the data step of schema 10. The schema-9 rows of `heartbeats`
// (exact bytes) and `heartbeat_users` become `evidence_batches` of kind texts (runs of
// consecutive seqs of one device received at the same second, at most 500 each; the signed
// bodies were never kept, so these batches carry no signature), or kind redacted for bytes the
// purge had replaced by their hash (re-encoded from the stored numbers and the users'
// surrogates, so they still count). Then both tables are dropped.

#include "server/store/sqlite_db.h"

namespace tally::server::detail {

Result<void> migrate_heartbeats_to_evidence(SqliteDb& db);

}  // namespace tally::server::detail
