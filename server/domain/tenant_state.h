#pragma once
// A tenant's status (DESIGN.md §5 rule 5) with its one parse and print. The stored status is
// active or inactive; in_trial is computed from trial_end (billing/tenant_status.h).

#include <optional>
#include <string_view>

namespace tally::server::domain {

enum class TenantStatus { in_trial, active, inactive };

std::optional<TenantStatus> parse_tenant_status(std::string_view text);
std::string_view to_string(TenantStatus status);

//! DESIGN.md §5 rule 5: an inactive tenant pairs no new device (a key already paired still
//! gets its device back). `stored` is the status column; one that does not parse refuses.
bool accepts_new_devices(std::string_view stored);

}  // namespace tally::server::domain
