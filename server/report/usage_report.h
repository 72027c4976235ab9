#pragma once
// The monthly usage report (walking-skeleton rules; full billing rules come later):
// a device is active with any accepted heartbeat in the month with device_active_minutes > 0;
// a user with ≥ 1 active minute; standalone devices are active devices without an active
// user; billable units = active users + standalone devices. Retired devices are listed but
// never active.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/store.h"

namespace tally::server {

struct UsageSummary {
    std::int64_t active_devices = 0;
    std::int64_t active_users = 0;
    std::int64_t standalone_devices = 0;
    std::int64_t billable_units = 0;
};

struct DeviceReportRow {
    DeviceUsageRow usage;
    bool active = false;
};

struct UsageReport {
    std::string tenant;
    std::string month;  //!< "YYYY-MM"
    std::int64_t generated_at = 0;
    UsageSummary summary;
    std::vector<DeviceReportRow> devices;
    std::vector<UserUsageRow> users;
};

//! Errors: bad_request (month not YYYY-MM), not_found (unknown tenant), db.
Result<UsageReport> build_usage_report(Store& store, std::string_view tenant,
                                       std::string_view month, std::int64_t now);

}  // namespace tally::server
