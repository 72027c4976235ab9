#pragma once
// The SQLite schema, versioned with PRAGMA user_version: migrate() applies every step the
// file has not seen yet, each in its own transaction.

#include "pairing/result.h"
#include "server/store/sqlite_db.h"

namespace tally::server {

constexpr int kSchemaVersion = 14;

Result<void> migrate(SqliteDb& db);

}  // namespace tally::server
