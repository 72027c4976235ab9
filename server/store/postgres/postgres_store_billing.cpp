// PostgresStore: what the billing engine and the usage report read (billing_read_store.h),
// from the rollups, each call in one REPEATABLE READ read-only transaction (one snapshot).

#include <algorithm>
#include <bit>
#include <cctype>
#include <map>
#include <set>

#include "server/store/postgres/pg_billing_reads.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {
namespace {

//! The first statement of the transaction: every read after it sees one snapshot.
constexpr const char* kSnapshot = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

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

//! The users of the month from its user rollups, as SqliteStore::usage makes them: each
//! device's user list, and the billed users (retired devices' users left out). Directory
//! principals are one person across devices (compared case-insensitively); local accounts
//! are distinct per device.
void bill_users(const detail::Rollups& rollups, const std::map<std::string, std::size_t>& index,
                UsageData& data) {
    std::map<std::pair<std::string, std::string>, UserAcc> users;
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

Result<BillingFacts> PostgresStore::billing_facts(std::string_view tenant, std::int64_t from,
                                                  std::int64_t to) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<BillingFacts> {
        if (auto r = c.command(kSnapshot); !r) {
            return r.error();
        }
        return pg_read_billing_facts(c, zones_, tenant, from, to, false);
    });
}

Result<ReportFacts> PostgresStore::report_facts(std::string_view tenant, std::int64_t from,
                                                std::int64_t to) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<ReportFacts> {
        if (auto r = c.command(kSnapshot); !r) {
            return r.error();
        }
        auto facts = pg_read_billing_facts(c, zones_, tenant, from, to, true);
        if (!facts) {
            return facts.error();
        }
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        auto evidence = pg_read_tenant_evidence(c, *tid, facts->devices);
        if (!evidence) {
            return evidence.error();
        }
        return ReportFacts{std::move(*facts), std::move(*evidence)};
    });
}

Result<UsageData> PostgresStore::usage(std::string_view tenant, std::int64_t from,
                                       std::int64_t to) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<UsageData> {
        if (auto r = c.command(kSnapshot); !r) {
            return r.error();
        }
        auto tid = detail::pg_tenant_id(c, tenant);
        if (!tid) {
            return tid.error();
        }
        auto clock = pg_tenant_clock(c, zones_, *tid, false);
        if (!clock) {
            return clock.error();
        }
        const auto month = clock->month_day(from).first;
        auto rollups = pg_read_month_rollups(c, *tid, month);
        if (!rollups) {
            return rollups.error();
        }
        auto devices = c.exec(std::string("SELECT ") + detail::kPgDeviceColumns +
                                  " FROM devices d JOIN tenants t ON t.id = d.tenant_id"
                                  " WHERE t.id = $1 ORDER BY d.paired_at, d.id",
                              {pg_param(*tid)});
        if (!devices) {
            return devices.error();
        }
        UsageData data;
        std::map<std::string, std::size_t> index;
        std::vector<Device> listed;
        for (int i = 0; i < devices->rows(); ++i) {
            DeviceUsageRow row;
            row.device = detail::pg_device_from_row(*devices, i);
            const auto it = rollups->device_months.find({row.device.id, month});
            // Listed: paired before the month ended, or with heartbeats in it.
            if (row.device.paired_at >= to && it == rollups->device_months.end()) {
                continue;
            }
            if (it != rollups->device_months.end()) {
                row.active_minutes = it->second.active_minutes;
                row.active_days = days_in(it->second.day_mask);
                row.heartbeats = it->second.heartbeats;
            }
            index[row.device.id] = data.devices.size();
            listed.push_back(row.device);
            data.devices.push_back(std::move(row));
        }
        auto evidence = pg_read_tenant_evidence(c, *tid, listed);
        if (!evidence) {
            return evidence.error();
        }
        for (auto& d : data.devices) {
            d.evidence = (*evidence)[d.device.id];
        }
        bill_users(*rollups, index, data);
        return data;
    });
}

}  // namespace tally::server
