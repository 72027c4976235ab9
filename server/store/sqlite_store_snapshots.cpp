// Month close on SQLite (month_close_store.h): table month_snapshots (schema step 11), one row
// per closed tenant-month, written once.

#include <string>

#include "server/store/billing_queries.h"
#include "server/store/month_key.h"
#include "server/store/sqlite_store.h"

namespace tally::server {

Result<std::optional<MonthSnapshot>> SqliteStore::month_snapshot(std::string_view tenant,
                                                                 std::string_view month) {
    const auto key = month_key(month);
    if (!key) {
        return key.error();
    }
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    const auto tid = detail::tenant_id(reader->db(), tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = reader->db().prepare(
        "SELECT closed_at, format_version, body FROM month_snapshots"
        " WHERE tenant_id = ? AND month = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, *tid).bind(2, *key);
    const auto row = s->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::optional<MonthSnapshot>();
    }
    return std::optional<MonthSnapshot>(
        MonthSnapshot{std::string(month), s->int64(0), s->int64(1), s->text(2)});
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
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    const auto tid = detail::tenant_id(reader->db(), tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = reader->db().prepare(
        "SELECT coalesce(sum(late_heartbeats), 0) FROM rollup_device_month"
        " WHERE tenant_id = ? AND month = ?");
    if (!s) {
        return s.error();
    }
    s->bind(1, *tid).bind(2, *key);
    if (const auto row = s->step(); !row) {
        return row.error();
    }
    return s->int64(0);
}

Result<std::vector<std::string>> SqliteStore::months_without_snapshot(std::string_view tenant) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    const auto tid = detail::tenant_id(reader->db(), tenant);
    if (!tid) {
        return tid.error();
    }
    // One probe per month of the primary key (a skip scan), not a scan of every device row.
    auto s = reader->db().prepare(
        "WITH RECURSIVE m(month) AS ("
        " SELECT min(month) FROM rollup_device_month WHERE tenant_id = ?1"
        " UNION ALL SELECT (SELECT min(month) FROM rollup_device_month"
        "  WHERE tenant_id = ?1 AND month > m.month) FROM m WHERE m.month IS NOT NULL)"
        " SELECT month FROM m WHERE month IS NOT NULL AND NOT EXISTS (SELECT 1 FROM"
        " month_snapshots s WHERE s.tenant_id = ?1 AND s.month = m.month) ORDER BY month");
    if (!s) {
        return s.error();
    }
    s->bind(1, *tid);
    std::vector<std::string> out;
    if (auto r = s->each_row(
            [&](const SqliteStatement& row) { out.push_back(month_text(row.int64(0))); });
        !r) {
        return r.error();
    }
    return out;
}

Result<std::vector<std::string>> SqliteStore::months_with_snapshot(std::string_view tenant) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    const auto tid = detail::tenant_id(reader->db(), tenant);
    if (!tid) {
        return tid.error();
    }
    auto s = reader->db().prepare(
        "SELECT month FROM month_snapshots WHERE tenant_id = ? ORDER BY month");
    if (!s) {
        return s.error();
    }
    s->bind(1, *tid);
    std::vector<std::string> out;
    if (auto r = s->each_row(
            [&](const SqliteStatement& row) { out.push_back(month_text(row.int64(0))); });
        !r) {
        return r.error();
    }
    return out;
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
