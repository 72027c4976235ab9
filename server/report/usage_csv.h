#pragma once
// The usage report as CSV (RFC 4180): one header row, one `summary` row, one `package` row
// per package, then one row per device, per user and per late heartbeat; `row_type` says
// which (summary|package|device|user|late). Columns:
// row_type,tenant,month,device_id,hostname,device_type,role,principal,local,active,
// active_minutes,active_days,heartbeats,last_seq,last_seen,related,active_devices,
// active_users,standalone_devices,billable_units,billed_as,package,paired_user,first_seen,
// trial,closed,late_adjustments,reported_units,covered_by,retired_at,inactive_span_heartbeats,
// explanation
// `related` lists a device's active users or a user's devices, separated by ';'. Package
// rows carry the package's active_users, standalone_devices and billable_units; late rows
// carry the heartbeat's seq (last_seq), start (first_seen) and receipt time (last_seen).

#include <ostream>
#include <string>

#include "server/report/report_rows.h"
#include "server/report/row_progress.h"
#include "server/report/usage_report.h"

namespace tally::server {

std::string usage_to_csv(const UsageReport& report);
//! The same bytes as usage_to_csv, written row by row (no whole document in memory).
void write_usage_csv(const UsageReport& report, std::ostream& out,
                     const RowProgress& progress = {});
//! The same, the device and user rows taken from `rows` (report.devices/users unread).
void write_usage_csv(const UsageReport& report, const ReportRows& rows, std::ostream& out,
                     const RowProgress& progress = {});

}  // namespace tally::server
