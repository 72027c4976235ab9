#pragma once
// Admin changes to a tenant's policy and status, shared by the CLI and the HTTP API.
// Options are named as the CLI flags: time-zone, count-devices-by, default-package,
// grace-hours, trial-end, at. Instants are YYYY-MM-DD (midnight in the tenant's time zone)
// or RFC 3339. Errors: bad_request naming the option.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "pairing/result.h"
#include "server/billing/time_zone.h"
#include "server/store/billing_records.h"

namespace tally::server::billing {

using Options = std::map<std::string, std::string>;

Result<std::int64_t> parse_instant(std::string_view text, const TimeZone& tz,
                                   std::string_view what);
//! Applies time-zone, count-devices-by, default-package, grace-hours and trial-end.
Result<void> apply_tenant_policy(TenantSettings& tenant, const Options& options);
//! status: active | inactive | in_trial. Inactive records its date (`at`, default now);
//! active ends a running trial at `at`; in_trial needs a trial-end in the future.
Result<void> change_tenant_status(TenantSettings& tenant, std::string_view status,
                                  const Options& options, std::int64_t now);

}  // namespace tally::server::billing
