// PostgresStore: the console's reads of the rollups (console_store.h) and /metrics' storage
// figures. Each is one statement (or one per device asked for), read without a transaction
// of its own: the last committed state.

#include <map>
#include <utility>

#include "server/store/postgres/pg_transaction.h"
#include "server/store/postgres/postgres_store.h"
#include "server/store/usage_rows.h"

namespace tally::server {

Result<std::vector<ConsoleDay>> PostgresStore::console_days(std::string_view tenant,
                                                            std::int64_t month,
                                                            unsigned days_in_month) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<ConsoleDay>> {
        std::vector<std::int64_t> devices(detail::kMaxMonthDays, 0);
        std::vector<std::int64_t> users(detail::kMaxMonthDays, 0);
        // Each device's mask, and each principal's masks OR-ed over its devices (a principal
        // on several devices counts once a day), in one statement.
        auto r = c.exec(
            "SELECT true, day_mask FROM rollup_device_month WHERE month = $2 AND tenant_id ="
            " (SELECT id FROM tenants WHERE name = $1)"
            " UNION ALL SELECT false, bit_or(day_mask) FROM rollup_user_month WHERE month = $2"
            " AND tenant_id = (SELECT id FROM tenants WHERE name = $1) GROUP BY principal, local",
            {pg_param(tenant), pg_param(month)});
        if (!r) {
            return r.error();
        }
        for (int i = 0; i < r->rows(); ++i) {
            detail::count_day_bits(r->int64(i, 1), r->boolean(i, 0) ? devices : users);
        }
        std::vector<ConsoleDay> out;
        for (unsigned day = 1; day <= days_in_month && day <= detail::kMaxMonthDays; ++day) {
            out.push_back({day, devices[day - 1], users[day - 1]});
        }
        return out;
    });
}

Result<std::vector<ConsoleDeviceDay>> PostgresStore::console_device_days(std::string_view device_id,
                                                                         std::int64_t first_day,
                                                                         std::int64_t last_day) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<ConsoleDeviceDay>> {
        auto r = c.exec(
            "SELECT day, heartbeats, active_minutes, active_users FROM rollup_device_day"
            " WHERE device_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
            {pg_param(device_id), pg_param(first_day), pg_param(last_day)});
        if (!r) {
            return r.error();
        }
        std::vector<ConsoleDeviceDay> out;
        for (int i = 0; i < r->rows(); ++i) {
            out.push_back({r->int64(i, 0), r->int64(i, 1), r->int64(i, 2), r->int64(i, 3)});
        }
        return out;
    });
}

Result<std::vector<ConsoleUserDevice>> PostgresStore::console_user_month(
    std::string_view tenant, std::int64_t month, std::string_view principal,
    const std::vector<std::string>& device_ids) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<ConsoleUserDevice>> {
        std::vector<ConsoleUserDevice> out;
        for (const auto& id : device_ids) {
            auto r = c.exec(
                "SELECT device_id, local, active_minutes, day_mask FROM rollup_user_month"
                " WHERE tenant_id = (SELECT id FROM tenants WHERE name = $1) AND month = $2"
                " AND device_id = $3 AND principal = $4 ORDER BY local",
                {pg_param(tenant), pg_param(month), pg_param(id), pg_param(principal)});
            if (!r) {
                return r.error();
            }
            for (int i = 0; i < r->rows(); ++i) {
                out.push_back({r->text(i, 0), r->boolean(i, 1), r->int64(i, 2), r->int64(i, 3)});
            }
        }
        return out;
    });
}

Result<std::vector<ConsoleUserDay>> PostgresStore::console_user_days(
    std::string_view principal, bool local, const std::vector<std::string>& device_ids,
    std::int64_t first_day, std::int64_t last_day) {
    // A local day starts between 14 h before and 12 h after its UTC midnight: the hour range
    // (the key's second column) with a margin, the day filter exact.
    constexpr std::int64_t kMarginHours = 15;
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<ConsoleUserDay>> {
        std::map<std::int64_t, std::int64_t> minutes;
        for (const auto& id : device_ids) {
            auto r = c.exec(
                "SELECT day, sum(active_minutes) FROM rollup_bucket_user WHERE device_id = $1"
                " AND hour BETWEEN $2 AND $3 AND day BETWEEN $4 AND $5 AND principal = $6"
                " AND local = $7 GROUP BY day",
                {pg_param(id), pg_param(first_day * 24 - kMarginHours),
                 pg_param((last_day + 1) * 24 + kMarginHours), pg_param(first_day),
                 pg_param(last_day), pg_param(principal), pg_param(local ? "true" : "false")});
            if (!r) {
                return r.error();
            }
            for (int i = 0; i < r->rows(); ++i) {
                minutes[r->int64(i, 0)] += r->int64(i, 1);
            }
        }
        std::vector<ConsoleUserDay> out;
        for (const auto& [day, m] : minutes) {
            out.push_back({day, m});
        }
        return out;
    });
}

Result<bool> PostgresStore::console_month_active(std::string_view tenant, std::int64_t month) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<bool> {
        auto r = c.exec(
            "SELECT 1 FROM rollup_device_month WHERE tenant_id ="
            " (SELECT id FROM tenants WHERE name = $1) AND month = $2 LIMIT 1",
            {pg_param(tenant), pg_param(month)});
        if (!r) {
            return r.error();
        }
        return r->rows() > 0;
    });
}

Result<std::vector<ConsoleEvent>> PostgresStore::console_device_events(std::string_view device_id) {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<std::vector<ConsoleEvent>> {
        auto r = c.exec(
            "SELECT * FROM (SELECT paired_at, 'paired' AS what FROM devices WHERE id = $1"
            " UNION ALL SELECT enrolled_at, 'enrolled by ' || method FROM device_enrollments"
            " WHERE device_id = $1"
            " UNION ALL SELECT changed_at, 'type changed from ' || old_type || ' to ' || new_type"
            " FROM device_type_changes WHERE device_id = $1"
            " UNION ALL SELECT since, CASE WHEN user_key IS NULL THEN 'user assignment cleared'"
            " ELSE 'assigned to user ' || user_key END FROM device_assignments"
            " WHERE device_id = $1"
            " UNION ALL SELECT retired_at, 'retired: ' || coalesce(retire_reason, '')"
            " FROM devices WHERE id = $1 AND retired_at IS NOT NULL) e"
            " ORDER BY e.paired_at, e.what COLLATE \"C\"",
            {pg_param(device_id)});
        if (!r) {
            return r.error();
        }
        std::vector<ConsoleEvent> out;
        for (int i = 0; i < r->rows(); ++i) {
            out.push_back({r->int64(i, 0), r->text(i, 1)});
        }
        return out;
    });
}

// The database's size as PostgreSQL counts it (no WAL of its own to report: 0), and the
// evidence as the SQLite store counts it: stored batches plus held heartbeats.
Result<StorageStats> PostgresStore::storage_stats() {
    return pg_statement(*pool_, [&](PgConnection& c) -> Result<StorageStats> {
        auto r = c.exec(
            "SELECT pg_database_size(current_database()), (SELECT count(*) FROM heartbeat_evidence)"
            " + (SELECT count(*) FROM held_heartbeats)");
        if (!r) {
            return r.error();
        }
        StorageStats stats;
        stats.database_bytes = r->int64(0, 0);
        stats.evidence_rows = r->int64(0, 1);
        return stats;
    });
}

}  // namespace tally::server
