// SqliteStore::usage: the monthly numbers read from the rollups (rollups.h), never from raw
// heartbeats. The month is the tenant's month that `from` lies in (its time zone).

#include <map>
#include <string>

#include "server/store/device_row.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_store.h"
#include "server/store/usage_rows.h"

namespace tally::server {
Result<UsageData> SqliteStore::usage(std::string_view tenant, std::int64_t from, std::int64_t to) {
    std::lock_guard lock(mutex_);
    auto clock = clock_locked(tenant);
    if (!clock) {
        return clock.error();
    }
    const auto month = (*clock)->month_day(from).first;
    auto rollups = detail::read_rollups(*db_, (*clock)->tenant_id, month);
    if (!rollups) {
        return rollups.error();
    }
    UsageData data;
    auto dev = db_->prepare(std::string("SELECT ") + detail::kDeviceColumns +
                            " FROM devices d JOIN tenants t ON t.id = d.tenant_id"
                            " WHERE t.id = ?1 ORDER BY d.paired_at, d.id");
    if (!dev) {
        return dev.error();
    }
    dev->bind(1, (*clock)->tenant_id);
    std::map<std::string, std::size_t> index;
    if (auto r = dev->each_row([&](const SqliteStatement& s) {
            DeviceUsageRow row;
            row.device = detail::device_from_row(s);
            if (!detail::fill_device_usage(row, *rollups, month, to)) {
                return;
            }
            index[row.device.id] = data.devices.size();
            data.devices.push_back(std::move(row));
        });
        !r) {
        return r.error();
    }
    for (auto& d : data.devices) {
        auto evidence = device_evidence_locked(d.device.id);
        if (!evidence) {
            return evidence.error();
        }
        d.evidence = *evidence;
    }
    detail::bill_users(*rollups, index, data);
    return data;
}

}  // namespace tally::server
