// Month close on SQLite (month_close_store.h): table month_snapshots (schema step 11), one row
// per closed tenant-month, written once.

#include <functional>
#include <optional>
#include <string>

#include "server/store/billing_queries.h"
#include "server/store/month_key.h"
#include "server/store/sqlite_store.h"

namespace tally::server {

namespace {

//! Prepares `sql` on a leased read connection with the tenant's row id as ?1 (and `month` as
//! ?2 when given) and calls `on_row` for each row: the start of every snapshot read.
Result<void> each_tenant_row(SqliteReadPool& readers, std::string_view tenant,
                             std::optional<std::int64_t> month, const char* sql,
                             const std::function<void(const SqliteStatement&)>& on_row) {
    auto reader = readers.acquire();
    if (!reader) {
        return reader.error();
    }
    const auto tid = detail::tenant_id(reader->db(), tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = reader->db().prepare(sql);
    if (!s) {
        return s.error();
    }
    s->bind(1, *tid);
    if (month) {
        s->bind(2, *month);
    }
    return s->each_row(on_row);
}

//! The months a tenant-scoped query returns in column 0, as YYYY-MM.
Result<std::vector<std::string>> months_of(SqliteReadPool& readers, std::string_view tenant,
                                           const char* sql) {
    std::vector<std::string> out;
    auto r = each_tenant_row(readers, tenant, std::nullopt, sql, [&](const SqliteStatement& row) {
        out.push_back(month_text(row.int64(0)));
    });
    if (!r) {
        return r.error();
    }
    return out;
}

}  // namespace

Result<std::optional<MonthSnapshot>> SqliteStore::month_snapshot(std::string_view tenant,
                                                                 std::string_view month) {
    const auto key = month_key(month);
    if (!key) {
        return key.error();
    }
    std::optional<MonthSnapshot> out;
    auto r = each_tenant_row(
        readers_, tenant, *key,
        "SELECT closed_at, format_version, body FROM month_snapshots"
        " WHERE tenant_id = ? AND month = ?",
        [&](const SqliteStatement& row) {
            out = MonthSnapshot{std::string(month), row.int64(0), row.int64(1), row.text(2)};
        });
    if (!r) {
        return r.error();
    }
    return out;
}

Result<bool> SqliteStore::put_month_snapshot(std::string_view tenant,
                                             const MonthSnapshot& snapshot) {
    const auto key = month_key(snapshot.month);
    if (!key) {
        return key.error();
    }
    std::lock_guard lock(mutex_);
    const auto tid = detail::tenant_id(*db_, tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = db_->prepare(
        "INSERT INTO month_snapshots(tenant_id, month, closed_at, format_version, body)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(tenant_id, month) DO NOTHING");
    if (!s) {
        return s.error();
    }
    s->bind(1, *tid).bind(2, *key).bind(3, snapshot.closed_at).bind(4, snapshot.format_version);
    s->bind_blob(5, snapshot.body);
    if (auto r = s->run(); !r) {
        return r.error();
    }
    return db_->changes() > 0;
}

Result<std::int64_t> SqliteStore::late_heartbeats(std::string_view tenant, std::string_view month) {
    const auto key = month_key(month);
    if (!key) {
        return key.error();
    }
    std::int64_t late = 0;
    auto r = each_tenant_row(readers_, tenant, *key,
                             "SELECT coalesce(sum(late_heartbeats), 0) FROM rollup_device_month"
                             " WHERE tenant_id = ? AND month = ?",
                             [&](const SqliteStatement& row) { late = row.int64(0); });
    if (!r) {
        return r.error();
    }
    return late;
}

Result<std::vector<std::string>> SqliteStore::months_without_snapshot(std::string_view tenant) {
    // One probe per month of the primary key (a skip scan), not a scan of every device row.
    return months_of(readers_, tenant,
                     "WITH RECURSIVE m(month) AS ("
                     " SELECT min(month) FROM rollup_device_month WHERE tenant_id = ?1"
                     " UNION ALL SELECT (SELECT min(month) FROM rollup_device_month"
                     "  WHERE tenant_id = ?1 AND month > m.month) FROM m WHERE m.month IS NOT NULL)"
                     " SELECT month FROM m WHERE month IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
                     " month_snapshots s WHERE s.tenant_id = ?1 AND s.month = m.month)"
                     " ORDER BY month");
}

Result<std::vector<std::string>> SqliteStore::months_with_snapshot(std::string_view tenant) {
    return months_of(readers_, tenant,
                     "SELECT month FROM month_snapshots WHERE tenant_id = ? ORDER BY month");
}

Result<void> SqliteStore::redact_month_snapshot(std::string_view tenant, std::string_view month,
                                                const std::string& body) {
    const auto key = month_key(month);
    if (!key) {
        return key.error();
    }
    std::lock_guard lock(mutex_);
    const auto tid = detail::tenant_id(*db_, tenant);
    if (!tid) {
        return tid.error();
    }
    // As the purge: the old body's pages are zeroed when freed, and the checkpoint below
    // copies the new pages over the old ones and empties the WAL (best effort, as the purge).
    if (auto r = db_->exec("PRAGMA secure_delete=ON"); !r) {
        return r.error();
    }
    auto s = db_->prepare("UPDATE month_snapshots SET body = ? WHERE tenant_id = ? AND month = ?");
    if (!s) {
        return s.error();
    }
    s->bind_blob(1, body);
    s->bind(2, *tid).bind(3, *key);
    if (auto r = s->run(); !r) {
        return r.error();
    }
    if (db_->changes() == 0) {
        return make_error("not_found", "tenant '" + std::string(tenant) +
                                           "' has no snapshot of month " + std::string(month));
    }
    if (auto r = db_->exec("PRAGMA wal_checkpoint(TRUNCATE)"); !r) {
        return r.error();
    }
    return {};
}

}  // namespace tally::server
