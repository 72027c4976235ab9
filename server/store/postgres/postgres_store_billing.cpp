// PostgresStore: what the billing engine and the usage report read (billing_read_store.h),
// from the rollups, each call in one REPEATABLE READ read-only transaction (one snapshot).

#include <map>

#include "server/store/postgres/pg_billing_reads.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/usage_rows.h"

namespace tally::server {
namespace {

//! The first statement of the transaction: every read after it sees one snapshot.
constexpr const char* kSnapshot = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

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
    return read_report_facts(tenant, from, to, nullptr);
}

Result<ReportFacts> PostgresStore::month_report_facts(std::string_view tenant,
                                                      const MonthWindow& w) {
    return read_report_facts(tenant, w.read_from, w.to, &w);
}

Result<ReportFacts> PostgresStore::read_report_facts(std::string_view tenant, std::int64_t from,
                                                     std::int64_t to, const MonthWindow* month) {
    return pg_transaction(*pool_, [&](PgConnection& c) -> Result<ReportFacts> {
        if (auto r = c.command(kSnapshot); !r) {
            return r.error();
        }
        std::vector<Device> whole;
        const bool written_only = month != nullptr && month->written_devices_only;
        auto facts = pg_read_billing_facts(c, zones_, tenant, from, to, true, month,
                                           written_only ? nullptr : &whole);
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
        return ReportFacts{std::move(*facts), std::move(whole), std::move(*evidence)};
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
        std::vector<BillingDevice> listed;
        for (int i = 0; i < devices->rows(); ++i) {
            DeviceUsageRow row;
            row.device = detail::pg_device_from_row(*devices, i);
            if (!detail::fill_device_usage(row, *rollups, month, to)) {
                continue;
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
        detail::bill_users(*rollups, index, data);
        return data;
    });
}

}  // namespace tally::server
