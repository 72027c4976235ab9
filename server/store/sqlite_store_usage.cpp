// SqliteStore::usage: the monthly numbers as SQL aggregation over the decoded heartbeat
// columns (no JSON is re-read). A heartbeat belongs to the month its start lies in.

#include <algorithm>
#include <map>
#include <sstream>
#include <string>

#include "server/store/device_row.h"
#include "server/store/sqlite_store.h"

namespace tally::server {
namespace {

// ?1 = month start, ?2 = month end (exclusive), ?3 = tenant name.
constexpr const char* kInMonth = "h.start_ts >= ?1 AND h.start_ts < ?2";

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) {
            out.push_back(item);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

Result<UsageData> SqliteStore::usage(std::string_view tenant, std::int64_t from, std::int64_t to) {
    std::lock_guard lock(mutex_);
    const std::string in_month = kInMonth;
    UsageData data;

    auto dev = db_->prepare(
        std::string("SELECT ") + detail::kDeviceColumns +
        ", (SELECT coalesce(sum(h.device_active_minutes), 0) FROM heartbeats h"
        "   WHERE h.device_id = d.id AND " +
        in_month +
        ")"
        ", (SELECT count(DISTINCT h.start_ts / 86400) FROM heartbeats h"
        "   WHERE h.device_id = d.id AND h.device_active_minutes > 0 AND " +
        in_month +
        ")"
        ", (SELECT count(*) FROM heartbeats h WHERE h.device_id = d.id AND " +
        in_month +
        ")"
        " FROM devices d JOIN tenants t ON t.id = d.tenant_id"
        // Listed: paired before the month ended, or with heartbeats in it (a device can
        // upload heartbeats older than its pairing, e.g. after standalone mode).
        " WHERE t.name = ?3 AND (d.paired_at < ?2 OR EXISTS (SELECT 1 FROM heartbeats h"
        "   WHERE h.device_id = d.id AND " +
        in_month +
        "))"
        " ORDER BY d.paired_at, d.id");
    if (!dev) {
        return dev.error();
    }
    dev->bind(1, from).bind(2, to).bind(3, tenant);
    std::map<std::string, std::size_t> index;
    for (;;) {
        auto row = dev->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        DeviceUsageRow r;
        r.device = detail::device_from_row(*dev);
        r.active_minutes = dev->int64(16);
        r.active_days = dev->int64(17);
        r.heartbeats = dev->int64(18);
        index[r.device.id] = data.devices.size();
        data.devices.push_back(std::move(r));
    }

    for (auto& d : data.devices) {
        auto evidence = device_evidence_locked(d.device.id);
        if (!evidence) {
            return evidence.error();
        }
        d.evidence = *evidence;
    }

    const std::string joins =
        " FROM heartbeat_users hu"
        " JOIN heartbeats h ON h.device_id = hu.device_id AND h.seq = hu.seq"
        " JOIN devices d ON d.id = h.device_id JOIN tenants t ON t.id = d.tenant_id"
        " WHERE t.name = ?3 AND " +
        in_month;

    auto per_device = db_->prepare("SELECT hu.device_id, hu.principal" + joins +
                                   " GROUP BY hu.device_id, hu.principal, hu.local"
                                   " HAVING sum(hu.active_minutes) > 0 ORDER BY 1, 2");
    if (!per_device) {
        return per_device.error();
    }
    per_device->bind(1, from).bind(2, to).bind(3, tenant);
    for (;;) {
        auto row = per_device->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        if (auto it = index.find(per_device->text(0)); it != index.end()) {
            data.devices[it->second].users.push_back(per_device->text(1));
        }
    }

    // Directory principals are one person across devices (compared case-insensitively);
    // local accounts are distinct per device. Retired devices are never billed.
    auto users = db_->prepare(
        "SELECT min(hu.principal), hu.local,"
        " CASE WHEN hu.local THEN hu.device_id ELSE '' END AS dk,"
        " sum(hu.active_minutes),"
        " count(DISTINCT CASE WHEN hu.active_minutes > 0 THEN h.start_ts / 86400 END),"
        " group_concat(DISTINCT CASE WHEN hu.active_minutes > 0 THEN hu.device_id END)" +
        joins +
        " AND d.retired_at IS NULL"
        " GROUP BY CASE WHEN hu.local THEN hu.principal ELSE lower(hu.principal) END,"
        " hu.local, dk HAVING sum(hu.active_minutes) > 0 ORDER BY 1, 3");
    if (!users) {
        return users.error();
    }
    users->bind(1, from).bind(2, to).bind(3, tenant);
    for (;;) {
        auto row = users->step();
        if (!row) {
            return row.error();
        }
        if (!*row) {
            break;
        }
        UserUsageRow u;
        u.principal = users->text(0);
        u.local = users->int64(1) != 0;
        u.device_id = users->text(2);
        u.active_minutes = users->int64(3);
        u.active_days = users->int64(4);
        u.devices = split_commas(users->text(5));
        data.users.push_back(std::move(u));
    }
    return data;
}

}  // namespace tally::server
