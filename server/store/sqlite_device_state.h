#pragma once
// The only writes of a SQLite device's lifecycle columns (suspected_clone, retired_at,
// retire_reason). Each reads the state in the caller's transaction, asks the domain's state
// machine (server/domain/device_lifecycle.h) and writes only what it decided, so no UPDATE of
// the state bypasses transition().

#include <cstdint>
#include <string_view>

#include "pairing/result.h"
#include "server/domain/device_lifecycle.h"
#include "server/store/sqlite_db.h"

namespace tally::server::detail {

//! A fork was stored for the device: domain::after_fork() decides whether it becomes
//! suspected_clone (a live device) or stays as it is (already flagged, or ended).
Result<domain::Transition> record_fork_state(SqliteDb& db, std::string_view device_id);

//! The device ends (retire; `reason` "revoked" is the revoke event): transition() decides;
//! refused (revoking a retired device) returns its typed error, idempotent writes nothing.
Result<domain::Transition> end_device_state(SqliteDb& db, std::string_view device_id,
                                            std::string_view reason, std::int64_t now);

}  // namespace tally::server::detail
