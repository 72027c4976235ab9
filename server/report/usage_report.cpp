// Usage report builder (see usage_report.h).

#include "server/report/usage_report.h"

#include <string>

#include "pairing/time_format.h"

namespace tally::server {

Result<UsageReport> build_usage_report(Store& store, std::string_view tenant,
                                       std::string_view month, std::int64_t now) {
    const auto range = month.size() == 7 ? pairing::month_range_utc(month) : std::nullopt;
    if (!range) {
        return make_error("bad_request",
                          "month '" + std::string(month) + "' is not of the form YYYY-MM");
    }
    auto found = store.find_tenant(tenant);
    if (!found) {
        return found.error();
    }
    if (!*found) {
        return make_error("not_found", "unknown tenant '" + std::string(tenant) + "'");
    }
    auto data = store.usage(tenant, range->first, range->second);
    if (!data) {
        return data.error();
    }
    UsageReport report;
    report.tenant = std::string(tenant);
    report.month = std::string(month);
    report.generated_at = now;
    for (auto& d : data->devices) {
        DeviceReportRow row{std::move(d), false};
        row.active = !row.usage.device.retired_at && row.usage.active_minutes > 0;
        if (row.active) {
            ++report.summary.active_devices;
            if (row.usage.users.empty()) {
                ++report.summary.standalone_devices;
            }
        }
        report.devices.push_back(std::move(row));
    }
    report.users = std::move(data->users);
    report.summary.active_users = static_cast<std::int64_t>(report.users.size());
    report.summary.billable_units = report.summary.active_users + report.summary.standalone_devices;
    return report;
}

}  // namespace tally::server
