#pragma once
// The purge reaches closed months too (DESIGN.md §5 rule 4): a closed month's frozen snapshot
// (month_close.h) names its users, so when the purge replaces a user's names by a surrogate,
// every snapshot of the tenant that names them is rewritten in the same purge run with the
// surrogate in their place and each device's explanation rebuilt from its (redacted) billing.
// The frozen figures stay exactly as they were: only names change.

#include <cstdint>
#include <vector>

#include "pairing/result.h"
#include "server/store/billing_records.h"
#include "server/store/month_close_store.h"

namespace tally::server {

//! Rewrites the snapshots naming any of `purged`; returns how many were rewritten. A snapshot
//! naming none of them is left byte for byte. Errors: db (a damaged snapshot, the store).
Result<std::int64_t> redact_month_snapshots(MonthCloseStore& store,
                                            const std::vector<PurgedUser>& purged);

}  // namespace tally::server
