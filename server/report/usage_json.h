#pragma once
// The usage report as JSON (the shape README/DESIGN document; key order is stable).

#include <ostream>
#include <string>

#include "server/report/report_rows.h"
#include "server/report/row_progress.h"
#include "server/report/usage_report.h"

namespace tally::server {

std::string usage_to_json(const UsageReport& report);

//! The same bytes as usage_to_json, written one device/user at a time (no whole document in
//! memory: a 100k-device report is ~75 MB of text).
void write_usage_json(const UsageReport& report, std::ostream& out,
                      const RowProgress& progress = {});
//! The same, the device and user rows taken from `rows` (report.devices/users unread).
void write_usage_json(const UsageReport& report, const ReportRows& rows, std::ostream& out,
                      const RowProgress& progress = {});

}  // namespace tally::server
