// SqliteStore's console queries (see console_store.h), on a read connection: the last
// committed state, never waiting for a commit. Rollups only; the month rows are found by
// their primary key prefix (tenant_id, month), a device's days by (device_id, day).

#include <map>
#include <string>
#include <utility>

#include "server/store/sqlite_store.h"
#include "server/store/usage_rows.h"

namespace tally::server {

Result<std::vector<ConsoleDay>> SqliteStore::console_days(std::string_view tenant,
                                                          std::int64_t month,
                                                          unsigned days_in_month) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    std::vector<std::int64_t> devices(detail::kMaxMonthDays, 0);
    std::vector<std::int64_t> users(detail::kMaxMonthDays, 0);
    auto d = reader->db().prepare(
        "SELECT day_mask FROM rollup_device_month WHERE tenant_id = "
        "(SELECT id FROM tenants WHERE name = ?) AND month = ?");
    if (!d) {
        return d.error();
    }
    d->bind(1, tenant).bind(2, month);
    auto ok = d->each_row([&](auto&) { detail::count_day_bits(d->int64(0), devices); });
    if (!ok) {
        return ok.error();
    }
    // A principal on several devices counts once a day: OR its masks first.
    std::map<std::pair<std::string, std::int64_t>, std::int64_t> by_user;
    auto u = reader->db().prepare(
        "SELECT principal, local, day_mask FROM rollup_user_month WHERE tenant_id = "
        "(SELECT id FROM tenants WHERE name = ?) AND month = ?");
    if (!u) {
        return u.error();
    }
    u->bind(1, tenant).bind(2, month);
    ok = u->each_row([&](auto&) { by_user[{u->text(0), u->int64(1)}] |= u->int64(2); });
    if (!ok) {
        return ok.error();
    }
    for (const auto& [key, mask] : by_user) {
        detail::count_day_bits(mask, users);
    }
    std::vector<ConsoleDay> out;
    for (unsigned day = 1; day <= days_in_month && day <= detail::kMaxMonthDays; ++day) {
        out.push_back({day, devices[day - 1], users[day - 1]});
    }
    return out;
}

Result<std::vector<ConsoleDeviceDay>> SqliteStore::console_device_days(std::string_view device_id,
                                                                       std::int64_t first_day,
                                                                       std::int64_t last_day) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    auto s = reader->db().prepare(
        "SELECT day, heartbeats, active_minutes, active_users FROM rollup_device_day "
        "WHERE device_id = ? AND day BETWEEN ? AND ? ORDER BY day");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id).bind(2, first_day).bind(3, last_day);
    std::vector<ConsoleDeviceDay> out;
    auto ok = s->each_row([&](auto&) {
        out.push_back({s->int64(0), s->int64(1), s->int64(2), s->int64(3)});
    });
    if (!ok) {
        return ok.error();
    }
    return out;
}

Result<std::vector<ConsoleUserDevice>> SqliteStore::console_user_month(
    std::string_view tenant, std::int64_t month, std::string_view principal,
    const std::vector<std::string>& device_ids) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    auto s = reader->db().prepare(
        "SELECT device_id, local, active_minutes, day_mask FROM rollup_user_month WHERE "
        "tenant_id = (SELECT id FROM tenants WHERE name = ?) AND month = ? AND device_id = ? "
        "AND principal = ?");
    if (!s) {
        return s.error();
    }
    std::vector<ConsoleUserDevice> out;
    for (const auto& id : device_ids) {
        s->reset();
        s->bind(1, tenant).bind(2, month).bind(3, id).bind(4, principal);
        auto ok = s->each_row([&](auto&) {
            out.push_back({s->text(0), s->int64(1) != 0, s->int64(2), s->int64(3)});
        });
        if (!ok) {
            return ok.error();
        }
    }
    return out;
}

Result<std::vector<ConsoleUserDay>> SqliteStore::console_user_days(
    std::string_view principal, bool local, const std::vector<std::string>& device_ids,
    std::int64_t first_day, std::int64_t last_day) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    // A local day starts between 14 h before and 12 h after its UTC midnight: the hour range
    // (the key's second column) with a margin, the day filter exact.
    constexpr std::int64_t kMarginHours = 15;
    auto s = reader->db().prepare(
        "SELECT day, sum(active_minutes) FROM rollup_bucket_user WHERE device_id = ? "
        "AND hour BETWEEN ? AND ? AND day BETWEEN ? AND ? AND principal = ? AND local = ? "
        "GROUP BY day");
    if (!s) {
        return s.error();
    }
    std::map<std::int64_t, std::int64_t> minutes;
    for (const auto& id : device_ids) {
        s->reset();
        s->bind(1, id)
            .bind(2, first_day * 24 - kMarginHours)
            .bind(3, (last_day + 1) * 24 + kMarginHours)
            .bind(4, first_day)
            .bind(5, last_day)
            .bind(6, principal)
            .bind(7, std::int64_t{local ? 1 : 0});
        auto ok = s->each_row([&](auto&) { minutes[s->int64(0)] += s->int64(1); });
        if (!ok) {
            return ok.error();
        }
    }
    std::vector<ConsoleUserDay> out;
    for (const auto& [day, m] : minutes) {
        out.push_back({day, m});
    }
    return out;
}

Result<bool> SqliteStore::console_month_active(std::string_view tenant, std::int64_t month) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    auto s = reader->db().prepare(
        "SELECT 1 FROM rollup_device_month WHERE tenant_id = "
        "(SELECT id FROM tenants WHERE name = ?) AND month = ? LIMIT 1");
    if (!s) {
        return s.error();
    }
    s->bind(1, tenant).bind(2, month);
    return s->step();
}

Result<std::vector<ConsoleEvent>> SqliteStore::console_device_events(std::string_view device_id) {
    auto reader = readers_.acquire();
    if (!reader) {
        return reader.error();
    }
    auto s = reader->db().prepare(
        "SELECT paired_at, 'paired' FROM devices WHERE id = ?1 "
        "UNION ALL SELECT enrolled_at, 'enrolled by ' || method FROM device_enrollments "
        "WHERE device_id = ?1 "
        "UNION ALL SELECT changed_at, 'type changed from ' || old_type || ' to ' || new_type "
        "FROM device_type_changes WHERE device_id = ?1 "
        "UNION ALL SELECT since, CASE WHEN user_key IS NULL THEN 'user assignment cleared' "
        "ELSE 'assigned to user ' || user_key END FROM device_assignments WHERE device_id = ?1 "
        "UNION ALL SELECT retired_at, 'retired: ' || coalesce(retire_reason, '') FROM devices "
        "WHERE id = ?1 AND retired_at IS NOT NULL ORDER BY 1, 2");
    if (!s) {
        return s.error();
    }
    s->bind(1, device_id);
    std::vector<ConsoleEvent> out;
    auto ok = s->each_row([&](auto&) { out.push_back({s->int64(0), s->text(1)}); });
    if (!ok) {
        return ok.error();
    }
    return out;
}

}  // namespace tally::server
