#pragma once
// A tenant's status at an instant (DESIGN.md §5 rule 5): in_trial until trial_end, then
// active by the date alone (no job flips it); inactive from its inactivation. And the part
// of a month that is billed: trial usage is reported, not billed; nothing after inactivation.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/domain/tenant_state.h"
#include "server/store/billing_records.h"

namespace tally::server::billing {

domain::TenantStatus tenant_status(const TenantSettings& tenant, std::int64_t now);
//! The stored status is inactive (whatever the date).
bool stored_inactive(const TenantSettings& tenant);
//! to_string(tenant_status()): "in_trial" | "active" | "inactive".
std::string effective_status(const TenantSettings& tenant, std::int64_t now);
//! The billed part [from, to) of [month_from, month_to); nullopt when nothing is billed.
//! Past inactive spans inside it are cut out by not_billed_spans (heartbeats, not the window).
std::optional<std::pair<std::int64_t, std::int64_t>> billable_window(const TenantSettings& tenant,
                                                                     std::int64_t month_from,
                                                                     std::int64_t month_to);

//! The tenant's past inactive spans that overlap [month_from, month_to), clipped to it.
std::vector<InactiveSpan> inactive_spans_in(const TenantSettings& tenant, std::int64_t month_from,
                                            std::int64_t month_to);

}  // namespace tally::server::billing
