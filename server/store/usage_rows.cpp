// Usage rows from rollups (see usage_rows.h).

#include "server/store/usage_rows.h"

#include <algorithm>
#include <bit>
#include <cctype>
#include <set>

namespace tally::server::detail {
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

}  // namespace

bool fill_device_usage(DeviceUsageRow& row, const Rollups& rollups, std::int64_t month,
                       std::int64_t to) {
    const auto it = rollups.device_months.find({row.device.id, month});
    if (row.device.paired_at >= to && it == rollups.device_months.end()) {
        return false;
    }
    if (it != rollups.device_months.end()) {
        row.active_minutes = it->second.active_minutes;
        row.active_days = days_in(it->second.day_mask);
        row.heartbeats = it->second.heartbeats;
    }
    return true;
}

void bill_users(const Rollups& rollups, const std::map<std::string, std::size_t>& index,
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

void count_day_bits(std::int64_t mask, std::vector<std::int64_t>& days) {
    for (unsigned d = 0; d < kMaxMonthDays; ++d) {
        if ((mask >> d) & 1) {
            ++days[d];
        }
    }
}

}  // namespace tally::server::detail
