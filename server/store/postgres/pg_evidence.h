#pragma once
// The evidence a batch leaves on PostgreSQL: one heartbeat_evidence row per batch that counted
// a heartbeat, in the partition of the UTC month it was received. A served batch keeps the
// signed request body exactly as received with its signature and counted seqs (kind
// signed_body, schema step 4: verify-evidence re-checks the signature byte for byte); a
// bundle import, a row from before step 4 or a redacted one keeps the exact bytes of its
// newly counted heartbeats (kind list: a length-prefixed list). Retention drops whole partitions
// (PostgresStore::purge_users). A heartbeat whose user was purged is kept as "redacted-sha256:<hex
// of its bytes>\n" followed by its re-encoding with the users' surrogates, so rollups can still be
// rebuilt from it.

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

//! heartbeat_evidence.kind.
enum class PgEvidenceKind : std::int64_t { signed_body = 0, list = 1 };

std::string pg_encode_evidence(const std::vector<std::string_view>& heartbeats);
//! Error bad_request when `body` is not a list pg_encode_evidence made.
Result<std::vector<std::string>> pg_decode_evidence(std::string_view body);

//! The counted entries of a heartbeat_evidence row in body order: a list's every entry
//! (redacted or not), a signed body's heartbeats whose seq is in `counted` ("a-b,c-d").
//! Error bad_evidence when the body or the ranges do not decode.
Result<std::vector<std::string>> pg_evidence_entries(std::int64_t kind, std::string_view body,
                                                     std::string_view counted);

//! The redacted form of `bytes` whose numbers are `surrogated` (users renamed).
std::string pg_redacted_entry(std::string_view bytes, const pairing::Heartbeat& surrogated);
//! The heartbeat an entry stands for (its numbers), redacted or not; nullopt if undecodable.
std::optional<pairing::Heartbeat> pg_entry_heartbeat(std::string_view entry);

//! Creates the partition of month YYYYMM if it does not exist yet (any number of servers at
//! once: an advisory lock serialises them).
Result<void> pg_ensure_partition(PgPool& pool, std::int64_t month);

}  // namespace tally::server
