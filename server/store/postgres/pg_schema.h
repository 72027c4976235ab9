#pragma once
// The PostgreSQL schema, versioned: `tally_schema_version` holds the version applied.
// pg_migrate applies each missing step in one transaction under an advisory lock, so several
// servers starting at once migrate once, and refuses a database newer than this server.
// Append new steps; never edit a released one.

#include "server/store/postgres/pg_pool.h"

namespace tally::server {

inline constexpr int kPgSchemaVersion = 6;

//! Errors: schema_newer (the database was migrated by a newer server), db*, db_unavailable.
Result<void> pg_migrate(PgPool& pool);

}  // namespace tally::server
