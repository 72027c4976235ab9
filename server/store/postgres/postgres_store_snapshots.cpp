// PostgresStore: month close (month_close_store.h) on table month_snapshots (PostgreSQL
// schema step 3), one row per closed tenant-month, written once whichever server gets there
// first.

#include "server/store/month_key.h"
#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {

namespace {

//! Runs `sql` with the tenant's row id as $1 and `params` after it: the start of every
//! snapshot statement. `binary_result`: as PgConnection::exec.
Result<PgResult> tenant_exec(PgConnection& c, std::string_view tenant, const std::string& sql,
                             PgParams params = {}, bool binary_result = false) {
    const auto tid = detail::pg_tenant_id(c, tenant);
    if (!tid) {
        return tid.error();
    }
    params.insert(params.begin(), pg_param(*tid));
    return c.exec(sql, params, binary_result);
}

//! The months in column 0 of `r`, as YYYY-MM.
std::vector<std::string> month_list(const PgResult& r) {
    std::vector<std::string> out;
    for (int i = 0; i < r.rows(); ++i) {
        out.push_back(month_text(r.int64(i, 0)));
    }
    return out;
}

}  // namespace

Result<std::optional<MonthSnapshot>> PostgresStore::month_snapshot(std::string_view tenant,
                                                                   std::string_view month) {
    const auto key = month_key(month);
    if (!key) {
        return key.error();
    }
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::optional<MonthSnapshot>> {
        // Binary result: the body's raw bytes (a 100,000-device month's is ~18 MB; as hex
        // text it was twice that to receive, hold and decode).
        auto r = tenant_exec(c, tenant,
                             "SELECT closed_at::text, format_version::text, body FROM"
                             " month_snapshots WHERE tenant_id = $1 AND month = $2",
                             {pg_param(*key)}, true);
        if (!r) {
            return r.error();
        }
        if (r->rows() == 0) {
            return std::optional<MonthSnapshot>();
        }
        return std::optional<MonthSnapshot>(
            MonthSnapshot{std::string(month), r->int64(0, 0), r->int64(0, 1), r->text(0, 2)});
    });
}

Result<bool> PostgresStore::put_month_snapshot(std::string_view tenant,
                                               const MonthSnapshot& snapshot) {
    const auto key = month_key(snapshot.month);
    if (!key) {
        return key.error();
    }
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<bool> {
        auto r = tenant_exec(
            c, tenant,
            "INSERT INTO month_snapshots(tenant_id, month, closed_at, format_version, body)"
            " VALUES ($1, $2, $3, $4, decode($5, 'hex'))"
            " ON CONFLICT (tenant_id, month) DO NOTHING",
            {pg_param(*key), pg_param(snapshot.closed_at), pg_param(snapshot.format_version),
             pg_hex_param(snapshot.body)});
        if (!r) {
            return r.error();
        }
        return r->affected() > 0;
    });
}

Result<std::int64_t> PostgresStore::late_heartbeats(std::string_view tenant,
                                                    std::string_view month) {
    const auto key = month_key(month);
    if (!key) {
        return key.error();
    }
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::int64_t> {
        auto r = tenant_exec(c, tenant,
                             "SELECT coalesce(sum(late_heartbeats), 0) FROM rollup_device_month"
                             " WHERE tenant_id = $1 AND month = $2",
                             {pg_param(*key)});
        if (!r) {
            return r.error();
        }
        return r->int64(0, 0);
    });
}

Result<std::vector<std::string>> PostgresStore::months_without_snapshot(std::string_view tenant) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<std::string>> {
        // One index probe per month (a loose index scan), not a scan of every device row.
        auto r = tenant_exec(
            c, tenant,
            "WITH RECURSIVE m(month) AS ("
            " SELECT min(month) FROM rollup_device_month WHERE tenant_id = $1"
            " UNION ALL SELECT (SELECT min(month) FROM rollup_device_month"
            "  WHERE tenant_id = $1 AND month > m.month) FROM m WHERE m.month IS NOT NULL)"
            " SELECT month FROM m WHERE month IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
            " month_snapshots s WHERE s.tenant_id = $1 AND s.month = m.month) ORDER BY month");
        if (!r) {
            return r.error();
        }
        return month_list(*r);
    });
}

Result<std::vector<std::string>> PostgresStore::months_with_snapshot(std::string_view tenant) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<std::string>> {
        auto r = tenant_exec(
            c, tenant, "SELECT month FROM month_snapshots WHERE tenant_id = $1 ORDER BY month");
        if (!r) {
            return r.error();
        }
        return month_list(*r);
    });
}

Result<void> PostgresStore::redact_month_snapshot(std::string_view tenant, std::string_view month,
                                                  const std::string& body) {
    const auto key = month_key(month);
    if (!key) {
        return key.error();
    }
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<void> {
        auto r =
            tenant_exec(c, tenant,
                        "UPDATE month_snapshots SET body = decode($3, 'hex') WHERE tenant_id = $1"
                        " AND month = $2",
                        {pg_param(*key), pg_hex_param(body)});
        if (!r) {
            return r.error();
        }
        if (r->affected() == 0) {
            return make_error("not_found", "tenant '" + std::string(tenant) +
                                               "' has no snapshot of month " + std::string(month));
        }
        return {};
    });
}

}  // namespace tally::server
