#pragma once
// The usage report as CSV: one header row, one `summary` row, then one row per device and
// per user; `row_type` says which (summary|device|user). Columns:
// row_type,tenant,month,device_id,hostname,device_type,role,principal,local,active,
// active_minutes,active_days,heartbeats,last_seq,last_seen,related,active_devices,
// active_users,standalone_devices,billable_units
// `related` lists a device's active users or a user's devices, separated by ';'.

#include <string>

#include "server/report/usage_report.h"

namespace tally::server {

std::string usage_to_csv(const UsageReport& report);

}  // namespace tally::server
