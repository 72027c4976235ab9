#pragma once
// The PostgreSQL store's write of a device's suspected_clone flag, made only as the state
// machine decides (server/domain/device_lifecycle.h), like sqlite_device_state.h on SQLite.

#include <string_view>

#include "pairing/result.h"
#include "server/domain/device_lifecycle.h"
#include "server/store/postgres/pg_connection.h"

namespace tally::server::detail {

//! A fork was stored for the device: reads its state in the caller's transaction (ingest
//! holds the device row's lock) and domain::after_fork() decides whether it becomes
//! suspected_clone (a live device) or stays as it is (already flagged, or ended).
Result<domain::Transition> pg_record_fork_state(PgConnection& c, std::string_view device_id);

}  // namespace tally::server::detail
