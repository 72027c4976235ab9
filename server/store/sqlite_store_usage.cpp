// SqliteStore::usage: the monthly numbers read from the rollups (rollups.h), never from raw
// heartbeats. The month is the tenant's month that `from` lies in (its time zone).

#include <algorithm>
#include <bit>
#include <cctype>
#include <map>
#include <set>
#include <string>

#include "server/store/device_row.h"
#include "server/store/rollups.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

std::int64_t days_in(std::int64_t mask) {
    return std::popcount(static_cast<std::uint64_t>(mask));
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

struct UserAcc {
    UserUsageRow row;
    std::int64_t mask = 0;
    std::set<std::string> devices;
};

//! The users of the month from its user rollups: each device's user list, and the billed
//! users (retired devices' users left out). `index` maps device id to its row in `data`.
void bill_users(const detail::Rollups& rollups, const std::map<std::string, std::size_t>& index,
                UsageData& data) {
    // Directory principals are one person across devices (compared case-insensitively);
    // local accounts are distinct per device. Retired devices are never billed.
    std::map<std::pair<std::string, std::string>, UserAcc> users;  // (key, device of a local)
    for (const auto& [key, row] : rollups.user_months) {
        const auto it = index.find(key.device_id);
        if (row.active_minutes <= 0 || it == index.end()) {
            continue;
        }
        auto& device = data.devices[it->second];
        device.users.push_back(key.principal);
        if (device.device.retired_at) {
            continue;
        }
        auto& acc = users[{key.local ? key.principal : lower(key.principal),
                           key.local ? key.device_id : ""}];
        if (acc.row.principal.empty() || key.principal < acc.row.principal) {
            acc.row.principal = key.principal;
        }
        acc.row.local = key.local;
        acc.row.device_id = key.local ? key.device_id : "";
        acc.row.active_minutes += row.active_minutes;
        acc.mask |= row.day_mask;
        acc.devices.insert(key.device_id);
    }
    for (auto& d : data.devices) {
        std::sort(d.users.begin(), d.users.end());
        d.users.erase(std::unique(d.users.begin(), d.users.end()), d.users.end());
    }
    for (auto& [key, acc] : users) {
        acc.row.active_days = days_in(acc.mask);
        acc.row.devices.assign(acc.devices.begin(), acc.devices.end());
        data.users.push_back(std::move(acc.row));
    }
    std::sort(data.users.begin(), data.users.end(), [](const auto& a, const auto& b) {
        return a.principal != b.principal ? a.principal < b.principal : a.device_id < b.device_id;
    });
}

}  // namespace

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
            const auto it = rollups->device_months.find({row.device.id, month});
            // Listed: paired before the month ended, or with heartbeats in it (a device can
            // upload heartbeats older than its pairing, e.g. after standalone mode).
            if (row.device.paired_at >= to && it == rollups->device_months.end()) {
                return;
            }
            if (it != rollups->device_months.end()) {
                row.active_minutes = it->second.active_minutes;
                row.active_days = days_in(it->second.day_mask);
                row.heartbeats = it->second.heartbeats;
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
    bill_users(*rollups, index, data);
    return data;
}

}  // namespace tally::server
