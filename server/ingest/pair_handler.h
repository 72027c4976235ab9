#pragma once
// POST /v1/pair logic, independent of HTTP (PROTOCOL.md §5).

#include <cstdint>
#include <string_view>

#include "pairing/messages.h"
#include "pairing/result.h"
#include "server/ingest/options.h"
#include "server/store/pairing_store.h"

namespace tally::server {

//! Errors: bad_request, bad_signature, invalid_code, code_expired, code_exhausted,
//! tenant_inactive, db.
Result<pairing::PairResponse> handle_pair(PairingStore& store, std::string_view body,
                                          std::string_view signature_b64url, std::int64_t now,
                                          const IngestOptions& options);

}  // namespace tally::server
