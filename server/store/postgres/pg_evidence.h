#pragma once
// The evidence a batch leaves on PostgreSQL: the exact bytes of its newly counted heartbeats,
// one heartbeat_evidence row per batch (a length-prefixed list), in the partition of the UTC
// month it was received. Retention drops whole partitions (PostgresStore::purge_users). A
// heartbeat whose user was purged is kept as "redacted-sha256:<hex of its bytes>\n" followed by
// its re-encoding with the users' surrogates, so rollups can still be rebuilt from it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/heartbeat.h"
#include "pairing/result.h"
#include "server/store/postgres/pg_pool.h"

namespace tally::server {

//! The UTC month YYYYMM of instant `t` (the evidence partition of a batch received at `t`).
std::int64_t pg_utc_month(std::int64_t t);
//! The month after YYYYMM.
std::int64_t pg_next_month(std::int64_t month);

std::string pg_encode_evidence(const std::vector<std::string_view>& heartbeats);
//! Error bad_request when `body` is not a list pg_encode_evidence made.
Result<std::vector<std::string>> pg_decode_evidence(std::string_view body);

//! The redacted form of `bytes` whose numbers are `surrogated` (users renamed).
std::string pg_redacted_entry(std::string_view bytes, const pairing::Heartbeat& surrogated);
//! The heartbeat an entry stands for (its numbers), redacted or not; nullopt if undecodable.
std::optional<pairing::Heartbeat> pg_entry_heartbeat(std::string_view entry);

//! Creates the partition of month YYYYMM if it does not exist yet (any number of servers at
//! once: an advisory lock serialises them).
Result<void> pg_ensure_partition(PgPool& pool, std::int64_t month);

}  // namespace tally::server
