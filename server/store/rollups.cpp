// Usage rollups of the SQLite store (see rollups.h).

#include "server/store/rollups.h"

#include <algorithm>
#include <bit>
#include <limits>

#include "pairing/heartbeat.h"
#include "pairing/time_format.h"
#include "server/store/evidence_rows.h"

namespace tally::server::detail {
namespace {

std::optional<std::int64_t> opt_min(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
    return !a ? b : !b ? a : std::min(a, b);
}
std::optional<std::int64_t> opt_max(std::optional<std::int64_t> a, std::optional<std::int64_t> b) {
    return !a ? b : !b ? a : std::max(a, b);
}

std::optional<std::int64_t> opt_int(const SqliteStatement& s, int col) {
    return s.is_null(col) ? std::nullopt : std::optional<std::int64_t>(s.int64(col));
}

//! [first, next) local day numbers of month YYYYMM.
std::pair<std::int64_t, std::int64_t> month_days(std::int64_t month) {
    const auto y = static_cast<int>(month / 100);
    const auto m = static_cast<unsigned>(month % 100);
    const auto first = pairing::days_from_civil(y, m, 1);
    const auto next =
        m == 12 ? pairing::days_from_civil(y + 1, 1, 1) : pairing::days_from_civil(y, m + 1, 1);
    return {first, next};
}

std::int64_t floor_hour(std::int64_t t) {
    return t >= 0 ? t / 3600 : -((-t + 3599) / 3600);
}

//! The local day number of day `bit` + 1 of month YYYYMM.
std::int64_t day_of(std::int64_t month, int bit) {
    return month_days(month).first + bit;
}

}  // namespace

std::pair<std::int64_t, unsigned> TenantClock::month_day(std::int64_t t) const {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    pairing::civil_from_days(tz.local_day(t), y, m, d);
    return {std::int64_t{y} * 100 + m, d};
}

std::int64_t TenantClock::close_of(std::int64_t month) const {
    return tz.utc_of_local(month_days(month).second * 86400) + grace_hours * 3600;
}

std::int64_t TenantClock::segment(std::string_view device_id, std::int64_t start) const {
    const auto hour_start = start - ((start % 3600) + 3600) % 3600;
    std::int64_t seg = 0;
    const auto cut = [&](std::int64_t c) {
        if (c > hour_start && c <= start) {
            seg = std::max(seg, c);
        }
    };
    for (const auto c : cuts) {
        cut(c);
    }
    if (const auto it = retired.find(device_id); it != retired.end()) {
        cut(it->second);
    }
    return seg;
}

static Result<void> read_cuts(SqliteDb& db, TenantClock& clock) {
    clock.cuts.clear();
    auto t = db.prepare("SELECT trial_end, inactive_since FROM tenants WHERE id = ?");
    if (!t) {
        return t.error();
    }
    if (auto r = t->bind(1, clock.tenant_id).each_row([&](const SqliteStatement& row) {
            for (int col : {0, 1}) {
                if (!row.is_null(col)) {
                    clock.cuts.push_back(row.int64(col));
                }
            }
        });
        !r) {
        return r;
    }
    auto s = db.prepare("SELECT since, until FROM tenant_inactive_spans WHERE tenant_id = ?");
    if (!s) {
        return s.error();
    }
    return s->bind(1, clock.tenant_id).each_row([&](const SqliteStatement& row) {
        clock.cuts.push_back(row.int64(0));
        clock.cuts.push_back(row.int64(1));
    });
}

Result<TenantClock> tenant_clock(SqliteDb& db, std::int64_t tenant_id) {
    auto s = db.prepare("SELECT time_zone, grace_hours FROM tenants WHERE id = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, tenant_id).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("not_found", "unknown tenant id " + std::to_string(tenant_id));
    }
    TenantClock clock;
    clock.tenant_id = tenant_id;
    clock.zone = s->text(0);
    clock.grace_hours = s->int64(1);
    auto tz = billing::TimeZone::load(clock.zone);
    if (!tz) {
        return tz.error();
    }
    clock.tz = std::move(*tz);
    if (auto r = read_cuts(db, clock); !r) {
        return r.error();
    }
    auto retired = db.prepare(
        "SELECT id, retired_at FROM devices WHERE tenant_id = ? AND retired_at IS NOT NULL");
    if (!retired) {
        return retired.error();
    }
    if (auto r = retired->bind(1, tenant_id).each_row([&](const SqliteStatement& row) {
            clock.retired.emplace(row.text(0), row.int64(1));
        });
        !r) {
        return r.error();
    }
    return clock;
}

Result<const TenantClock*> TenantClocks::get(SqliteDb& db, std::string_view tenant) {
    auto s = db.prepare("SELECT id, time_zone, grace_hours FROM tenants WHERE name = ?");
    if (!s) {
        return s.error();
    }
    auto row = s->bind(1, tenant).step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return make_error("not_found", "unknown tenant '" + std::string(tenant) + "'");
    }
    const auto it = by_tenant_.find(tenant);
    if (it != by_tenant_.end() && it->second.tenant_id == s->int64(0) &&
        it->second.zone == s->text(1) && it->second.grace_hours == s->int64(2)) {
        if (auto r = read_cuts(db, it->second); !r) {  // they change without a rebuild
            return r.error();
        }
        return &it->second;
    }
    TenantClock clock;
    clock.tenant_id = s->int64(0);
    clock.zone = s->text(1);
    clock.grace_hours = s->int64(2);
    // The zone of another tenant's clock when it is the same: a TZif file parsed once.
    const auto same = std::find_if(by_tenant_.begin(), by_tenant_.end(),
                                   [&](const auto& c) { return c.second.zone == clock.zone; });
    if (same != by_tenant_.end()) {
        clock.tz = same->second.tz;
    } else {
        auto tz = billing::TimeZone::load(clock.zone);
        if (!tz) {
            return tz.error();
        }
        clock.tz = std::move(*tz);
    }
    if (auto r = read_cuts(db, clock); !r) {
        return r.error();
    }
    auto& slot = by_tenant_[std::string(tenant)];
    slot = std::move(clock);
    return &slot;
}

void Rollups::add(const TenantClock& clock, const RollupHeartbeat& hb) {
    const auto [month, day] = clock.month_day(hb.start);
    const bool late = hb.received_at >= clock.close_of(month);
    const std::int64_t bit = std::int64_t{1} << (day - 1);
    auto& dm = device_months[{hb.device_id, month}];
    ++dm.heartbeats;
    dm.active_minutes += hb.device_active_minutes;
    if (hb.device_active_minutes > 0) {
        dm.day_mask |= bit;
        dm.first_active = opt_min(dm.first_active, hb.start);
        dm.last_active = opt_max(dm.last_active, hb.end);
    }
    if (late) {
        ++dm.late_heartbeats;
        dm.late_minutes += hb.device_active_minutes;
    }
    auto& dd = device_days[{hb.device_id, clock.tz.local_day(hb.start)}];
    ++dd.heartbeats;
    dd.active_minutes += hb.device_active_minutes;
    dd.last_end = std::max(dd.last_end, hb.end);
    const BucketKey bk{hb.device_id, floor_hour(hb.start), clock.tz.local_day(hb.start), late,
                       clock.segment(hb.device_id, hb.start)};
    auto& b = buckets[bk];
    b.first_start = b.heartbeats == 0 ? hb.start : std::min(b.first_start, hb.start);
    b.last_end = b.heartbeats == 0 ? hb.end : std::max(b.last_end, hb.end);
    ++b.heartbeats;
    b.active_minutes += hb.device_active_minutes;
    for (const auto& u : hb.users) {
        if (u.active_minutes > 0) {
            user_days[{hb.device_id, bk.day, u.principal, u.local}] += u.active_minutes;
            auto [bu, added] = bucket_users.try_emplace({bk, u.principal, u.local});
            auto& row = bu->second;
            row.first_start = added ? hb.start : std::min(row.first_start, hb.start);
            row.last_end = added ? hb.end : std::max(row.last_end, hb.end);
            row.active_minutes += u.active_minutes;
        }
        auto& um = user_months[{hb.device_id, month, u.principal, u.local}];
        um.active_minutes += u.active_minutes;
        if (u.active_minutes > 0) {
            um.day_mask |= bit;
            um.first_active = opt_min(um.first_active, hb.start);
            um.last_active = opt_max(um.last_active, hb.end);
        }
        if (late) {
            um.late_minutes += u.active_minutes;
        }
        um.first_signal = opt_min(um.first_signal, hb.start);
        um.last_signal = opt_max(um.last_signal, hb.end);
    }
}

void Rollups::finish_active_users() {
    for (auto& [key, row] : device_days) {
        row.active_users = 0;
    }
    for (const auto& [key, row] : user_months) {
        for (int bit = 0; bit < 31; ++bit) {
            if ((row.day_mask >> bit) & 1) {
                ++device_days[{key.device_id, day_of(key.month, bit)}].active_users;
            }
        }
    }
}

namespace {

Result<void> apply_device_months(SqliteDb& db, std::int64_t tid, const Rollups& delta) {
    auto s = db.prepare(
        "INSERT INTO rollup_device_month(tenant_id, month, device_id, heartbeats, active_minutes,"
        " day_mask, first_active, last_active, late_heartbeats, late_minutes)"
        " VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(tenant_id, month, device_id) DO UPDATE SET"
        " heartbeats = heartbeats + excluded.heartbeats,"
        " active_minutes = active_minutes + excluded.active_minutes,"
        " day_mask = day_mask | excluded.day_mask,"
        " first_active = coalesce(min(first_active, excluded.first_active), first_active,"
        "   excluded.first_active),"
        " last_active = coalesce(max(last_active, excluded.last_active), last_active,"
        "   excluded.last_active),"
        " late_heartbeats = late_heartbeats + excluded.late_heartbeats,"
        " late_minutes = late_minutes + excluded.late_minutes");
    if (!s) {
        return s.error();
    }
    for (const auto& [key, row] : delta.device_months) {
        s->reset().bind(1, tid).bind(2, key.second).bind(3, key.first).bind(4, row.heartbeats);
        s->bind(5, row.active_minutes).bind(6, row.day_mask).bind(7, row.first_active);
        s->bind(8, row.last_active).bind(9, row.late_heartbeats).bind(10, row.late_minutes);
        if (auto r = s->run(); !r) {
            return r;
        }
    }
    return {};
}

//! Adds the user months and returns, per (device, day), how many users became active on it.
Result<std::map<DeviceDayKey, std::int64_t>> apply_user_months(SqliteDb& db, std::int64_t tid,
                                                               const Rollups& delta) {
    auto old = db.prepare(
        "SELECT day_mask FROM rollup_user_month WHERE tenant_id = ? AND month = ?"
        " AND device_id = ? AND principal = ? AND local = ?");
    auto s = db.prepare(
        "INSERT INTO rollup_user_month(tenant_id, month, device_id, principal, local,"
        " active_minutes, day_mask, first_active, last_active, late_minutes, first_signal,"
        " last_signal) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(tenant_id, month, device_id, principal, local) DO UPDATE SET"
        " active_minutes = active_minutes + excluded.active_minutes,"
        " day_mask = day_mask | excluded.day_mask,"
        " first_active = coalesce(min(first_active, excluded.first_active), first_active,"
        "   excluded.first_active),"
        " last_active = coalesce(max(last_active, excluded.last_active), last_active,"
        "   excluded.last_active),"
        " late_minutes = late_minutes + excluded.late_minutes,"
        " first_signal = coalesce(min(first_signal, excluded.first_signal), first_signal,"
        "   excluded.first_signal),"
        " last_signal = coalesce(max(last_signal, excluded.last_signal), last_signal,"
        "   excluded.last_signal)");
    if (!old) {
        return old.error();
    }
    if (!s) {
        return s.error();
    }
    std::map<DeviceDayKey, std::int64_t> new_users;
    for (const auto& [key, row] : delta.user_months) {
        old->reset().bind(1, tid).bind(2, key.month).bind(3, key.device_id);
        old->bind(4, key.principal).bind(5, std::int64_t{key.local ? 1 : 0});
        auto found = old->step();
        if (!found) {
            return found.error();
        }
        const std::int64_t before = *found ? old->int64(0) : 0;
        const auto added = row.day_mask & ~before;
        for (int bit = 0; bit < 31; ++bit) {
            if ((added >> bit) & 1) {
                ++new_users[{key.device_id, day_of(key.month, bit)}];
            }
        }
        s->reset().bind(1, tid).bind(2, key.month).bind(3, key.device_id).bind(4, key.principal);
        s->bind(5, std::int64_t{key.local ? 1 : 0}).bind(6, row.active_minutes);
        s->bind(7, row.day_mask).bind(8, row.first_active).bind(9, row.last_active);
        s->bind(10, row.late_minutes).bind(11, row.first_signal).bind(12, row.last_signal);
        if (auto r = s->run(); !r) {
            return r.error();
        }
    }
    return new_users;
}

Result<void> apply_device_days(SqliteDb& db, const Rollups& delta,
                               const std::map<DeviceDayKey, std::int64_t>& new_users) {
    auto s = db.prepare(
        "INSERT INTO rollup_device_day(device_id, day, heartbeats, active_minutes, active_users,"
        " last_end) VALUES (?,?,?,?,?,?) ON CONFLICT(device_id, day) DO UPDATE SET"
        " heartbeats = heartbeats + excluded.heartbeats,"
        " active_minutes = active_minutes + excluded.active_minutes,"
        " active_users = active_users + excluded.active_users,"
        " last_end = max(last_end, excluded.last_end)");
    if (!s) {
        return s.error();
    }
    for (const auto& [key, row] : delta.device_days) {
        const auto it = new_users.find(key);
        const std::int64_t users = it == new_users.end() ? 0 : it->second;
        s->reset().bind(1, key.device_id).bind(2, key.day).bind(3, row.heartbeats);
        s->bind(4, row.active_minutes).bind(5, users).bind(6, row.last_end);
        if (auto r = s->run(); !r) {
            return r;
        }
    }
    return {};
}

Result<void> apply_buckets(SqliteDb& db, const Rollups& delta) {
    auto b = db.prepare(
        "INSERT INTO rollup_bucket(device_id, hour, day, late, segment, heartbeats,"
        " active_minutes, first_start, last_end) VALUES (?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(device_id, hour, day, late, segment) DO UPDATE SET"
        " heartbeats = heartbeats + excluded.heartbeats,"
        " active_minutes = active_minutes + excluded.active_minutes,"
        " first_start = min(first_start, excluded.first_start),"
        " last_end = max(last_end, excluded.last_end)");
    if (!b) {
        return b.error();
    }
    const auto bind_key = [](SqliteStatement& s, const BucketKey& k) {
        s.reset().bind(1, k.device_id).bind(2, k.hour).bind(3, k.day);
        s.bind(4, std::int64_t{k.late ? 1 : 0}).bind(5, k.segment);
    };
    for (const auto& [key, row] : delta.buckets) {
        bind_key(*b, key);
        b->bind(6, row.heartbeats).bind(7, row.active_minutes).bind(8, row.first_start);
        if (auto r = b->bind(9, row.last_end).run(); !r) {
            return r;
        }
    }
    auto u = db.prepare(
        "INSERT INTO rollup_bucket_user(device_id, hour, day, late, segment, principal, local,"
        " active_minutes, first_start, last_end) VALUES (?,?,?,?,?,?,?,?,?,?)"
        " ON CONFLICT(device_id, hour, day, late, segment, principal, local) DO UPDATE SET"
        " active_minutes = active_minutes + excluded.active_minutes,"
        " first_start = min(first_start, excluded.first_start),"
        " last_end = max(last_end, excluded.last_end)");
    if (!u) {
        return u.error();
    }
    for (const auto& [key, row] : delta.bucket_users) {
        bind_key(*u, key.bucket);
        u->bind(6, key.principal).bind(7, std::int64_t{key.local ? 1 : 0});
        u->bind(8, row.active_minutes).bind(9, row.first_start).bind(10, row.last_end);
        if (auto r = u->run(); !r) {
            return r;
        }
    }
    return {};
}

Result<void> apply_user_days(SqliteDb& db, const Rollups& delta) {
    auto s = db.prepare(
        "INSERT INTO rollup_user_day(device_id, day, principal, local, active_minutes)"
        " VALUES (?,?,?,?,?) ON CONFLICT(device_id, day, principal, local) DO UPDATE SET"
        " active_minutes = active_minutes + excluded.active_minutes");
    if (!s) {
        return s.error();
    }
    for (const auto& [key, minutes] : delta.user_days) {
        s->reset().bind(1, key.device_id).bind(2, key.day).bind(3, key.principal);
        if (auto r = s->bind(4, std::int64_t{key.local ? 1 : 0}).bind(5, minutes).run(); !r) {
            return r;
        }
    }
    return {};
}

}  // namespace

Result<void> apply_rollups(SqliteDb& db, std::int64_t tenant_id, const Rollups& delta) {
    if (delta.empty()) {
        return {};
    }
    if (auto r = apply_device_months(db, tenant_id, delta); !r) {
        return r;
    }
    if (auto r = apply_buckets(db, delta); !r) {
        return r;
    }
    if (auto r = apply_user_days(db, delta); !r) {
        return r;
    }
    auto new_users = apply_user_months(db, tenant_id, delta);
    if (!new_users) {
        return new_users.error();
    }
    return apply_device_days(db, delta, *new_users);
}

namespace {

//! Feeds every counted heartbeat of the tenant (month YYYYMM only unless `month` is 0; by its
//! start's local day, so a small margin of UTC days around the month is read) to `fn`, decoded
//! from the evidence batches (a body that does not decode is an error).
template <typename Fn>
Result<void> each_counted(SqliteDb& db, const TenantClock& clock, std::int64_t month, Fn&& fn) {
    std::int64_t from = std::numeric_limits<std::int64_t>::min();
    std::int64_t to = std::numeric_limits<std::int64_t>::max();
    if (month != 0) {
        const auto [first, next] = month_days(month);
        from = (first - 2) * 86400;
        to = (next + 2) * 86400;
    }
    return each_evidence_batch(
        db, clock.tenant_id, from, to, false,
        [&](const EvidenceRow& batch, const std::vector<CountedHeartbeat>& counted,
            const std::string&) -> Result<void> {
            for (const auto& c : counted) {
                auto d = pairing::decode_heartbeat(c.bytes);
                if (!d) {
                    return make_error("bad_evidence", "evidence batch " + std::to_string(batch.id) +
                                                          ": " + d.error().message);
                }
                if (d->start < from || d->start >= to ||
                    (month != 0 && clock.month_day(d->start).first != month)) {
                    continue;
                }
                RollupHeartbeat hb{batch.device_id,
                                   d->start,
                                   d->end,
                                   batch.received_at,
                                   std::int64_t{d->device_active_minutes},
                                   {}};
                for (const auto& u : d->users) {
                    hb.users.push_back({u.principal, u.local, std::int64_t{u.active_minutes}});
                }
                fn(hb);
            }
            return {};
        });
}

}  // namespace

Result<Rollups> recompute_rollups(SqliteDb& db, const TenantClock& clock, std::int64_t month) {
    Rollups out;
    if (auto r =
            each_counted(db, clock, month, [&](const RollupHeartbeat& hb) { out.add(clock, hb); });
        !r) {
        return r.error();
    }
    out.finish_active_users();
    return out;
}

namespace {

//! The first month (YYYYMM, the tenant's) whose heartbeats all still have their evidence: 0
//! when the retention never deleted any (evidence_horizon).
Result<std::int64_t> first_rebuildable_month(SqliteDb& db, const TenantClock& clock) {
    auto s = db.prepare("SELECT purged_before FROM evidence_horizon WHERE id = 1");
    if (!s) {
        return s.error();
    }
    auto row = s->step();
    if (!row) {
        return row.error();
    }
    if (!*row) {
        return std::int64_t{0};
    }
    // The month after the one holding the horizon (a day's margin for the zone).
    auto [y_m, day] = clock.month_day(s->int64(0) + 86400);
    static_cast<void>(day);
    return y_m % 100 == 12 ? (y_m / 100 + 1) * 100 + 1 : y_m + 1;
}

Result<void> delete_rollups_from(SqliteDb& db, std::int64_t tenant_id, std::int64_t month) {
    const auto first_day =
        month == 0 ? std::numeric_limits<std::int64_t>::min() : month_days(month).first;
    for (const char* sql : {"DELETE FROM rollup_device_month WHERE tenant_id = ?1 AND month >= ?2",
                            "DELETE FROM rollup_user_month WHERE tenant_id = ?1 AND month >= ?2",
                            "DELETE FROM rollup_device_day WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = ?1) AND day >= ?3",
                            "DELETE FROM rollup_bucket WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = ?1) AND day >= ?3",
                            "DELETE FROM rollup_bucket_user WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = ?1) AND day >= ?3",
                            "DELETE FROM rollup_user_day WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = ?1) AND day >= ?3"}) {
        auto s = db.prepare(sql);
        if (!s) {
            return s.error();
        }
        if (auto r = s->bind(1, tenant_id).bind(2, month).bind(3, first_day).run(); !r) {
            return r;
        }
    }
    return {};
}

}  // namespace

Result<void> rebuild_rollups(SqliteDb& db, std::int64_t tenant_id) {
    auto clock = tenant_clock(db, tenant_id);
    if (!clock) {
        return clock.error();
    }
    // Months whose evidence the retention deleted (wholly or in part) keep their rows.
    auto from = first_rebuildable_month(db, *clock);
    if (!from) {
        return from.error();
    }
    if (auto r = delete_rollups_from(db, tenant_id, *from); !r) {
        return r;
    }
    Rollups all;
    if (auto r = each_counted(db, *clock, 0,
                              [&](const RollupHeartbeat& hb) {
                                  if (clock->month_day(hb.start).first >= *from) {
                                      all.add(*clock, hb);
                                  }
                              });
        !r) {
        return r.error();
    }
    all.finish_active_users();
    return apply_rollups(db, tenant_id, all);
}

Result<void> rebuild_all_rollups(SqliteDb& db) {
    std::vector<std::int64_t> ids;
    auto s = db.prepare("SELECT id FROM tenants ORDER BY id");
    if (!s) {
        return s.error();
    }
    if (auto r = s->each_row([&](const SqliteStatement& row) { ids.push_back(row.int64(0)); });
        !r) {
        return r;
    }
    for (const auto id : ids) {
        if (auto r = rebuild_rollups(db, id); !r) {
            return r;
        }
    }
    return {};
}

namespace {

//! The stored billing buckets of the tenant's devices with a local day in [first, next).
Result<void> read_buckets(SqliteDb& db, std::int64_t tenant_id, std::int64_t first,
                          std::int64_t next, Rollups& out) {
    auto b = db.prepare(
        "SELECT x.device_id, x.hour, x.day, x.late, x.segment, x.heartbeats, x.active_minutes,"
        " x.first_start, x.last_end FROM rollup_bucket x JOIN devices d ON d.id = x.device_id"
        " WHERE d.tenant_id = ?1 AND x.day >= ?2 AND x.day < ?3");
    if (!b) {
        return b.error();
    }
    if (auto r =
            b->bind(1, tenant_id)
                .bind(2, first)
                .bind(3, next)
                .each_row([&](const SqliteStatement& s) {
                    out.buckets[{s.text(0), s.int64(1), s.int64(2), s.int64(3) != 0, s.int64(4)}] =
                        {s.int64(5), s.int64(6), s.int64(7), s.int64(8)};
                });
        !r) {
        return r;
    }
    auto u = db.prepare(
        "SELECT x.device_id, x.hour, x.day, x.late, x.segment, x.principal, x.local,"
        " x.active_minutes, x.first_start, x.last_end FROM rollup_bucket_user x"
        " JOIN devices d ON d.id = x.device_id"
        " WHERE d.tenant_id = ?1 AND x.day >= ?2 AND x.day < ?3");
    if (!u) {
        return u.error();
    }
    if (auto r = u->bind(1, tenant_id)
                     .bind(2, first)
                     .bind(3, next)
                     .each_row([&](const SqliteStatement& s) {
                         const BucketKey key{s.text(0), s.int64(1), s.int64(2), s.int64(3) != 0,
                                             s.int64(4)};
                         out.bucket_users[{key, s.text(5), s.int64(6) != 0}] = {
                             s.int64(7), s.int64(8), s.int64(9)};
                     });
        !r) {
        return r;
    }
    auto d = db.prepare(
        "SELECT x.device_id, x.day, x.principal, x.local, x.active_minutes FROM rollup_user_day x"
        " JOIN devices d ON d.id = x.device_id WHERE d.tenant_id = ?1 AND x.day >= ?2"
        " AND x.day < ?3");
    if (!d) {
        return d.error();
    }
    return d->bind(1, tenant_id)
        .bind(2, first)
        .bind(3, next)
        .each_row([&](const SqliteStatement& s) {
            out.user_days[{s.text(0), s.int64(1), s.text(2), s.int64(3) != 0}] = s.int64(4);
        });
}

}  // namespace

Result<Rollups> read_rollups(SqliteDb& db, std::int64_t tenant_id, std::int64_t month) {
    Rollups out;
    const bool all = month == 0;
    auto dm = db.prepare(
        "SELECT device_id, month, heartbeats, active_minutes, day_mask, first_active, last_active,"
        " late_heartbeats, late_minutes FROM rollup_device_month"
        " WHERE tenant_id = ?1 AND (?2 OR month = ?3)");
    if (!dm) {
        return dm.error();
    }
    dm->bind(1, tenant_id).bind(2, std::int64_t{all ? 1 : 0}).bind(3, month);
    if (auto r = dm->each_row([&](const SqliteStatement& s) {
            out.device_months[{s.text(0), s.int64(1)}] = {s.int64(2),    s.int64(3),    s.int64(4),
                                                          opt_int(s, 5), opt_int(s, 6), s.int64(7),
                                                          s.int64(8)};
        });
        !r) {
        return r.error();
    }
    auto um = db.prepare(
        "SELECT device_id, month, principal, local, active_minutes, day_mask, first_active,"
        " last_active, late_minutes, first_signal, last_signal FROM rollup_user_month"
        " WHERE tenant_id = ?1 AND (?2 OR month = ?3)");
    if (!um) {
        return um.error();
    }
    um->bind(1, tenant_id).bind(2, std::int64_t{all ? 1 : 0}).bind(3, month);
    if (auto r = um->each_row([&](const SqliteStatement& s) {
            out.user_months[{s.text(0), s.int64(1), s.text(2), s.int64(3) != 0}] = {
                s.int64(4), s.int64(5),    opt_int(s, 6), opt_int(s, 7),
                s.int64(8), opt_int(s, 9), opt_int(s, 10)};
        });
        !r) {
        return r.error();
    }
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    const auto [first, next] = all ? std::pair(kMin, kMax) : month_days(month);
    auto dd = db.prepare(
        "SELECT x.device_id, x.day, x.heartbeats, x.active_minutes, x.active_users, x.last_end"
        " FROM rollup_device_day x JOIN devices d ON d.id = x.device_id"
        " WHERE d.tenant_id = ?1 AND x.day >= ?2 AND x.day < ?3");
    if (!dd) {
        return dd.error();
    }
    dd->bind(1, tenant_id).bind(2, first).bind(3, next);
    if (auto r = dd->each_row([&](const SqliteStatement& s) {
            out.device_days[{s.text(0), s.int64(1)}] = {s.int64(2), s.int64(3), s.int64(4),
                                                        s.int64(5)};
        });
        !r) {
        return r.error();
    }
    if (auto r = read_buckets(db, tenant_id, first, next, out); !r) {
        return r.error();
    }
    return out;
}

namespace {

std::string show(const std::optional<std::int64_t>& v) {
    return v ? std::to_string(*v) : "none";
}
std::string show(const DeviceMonthRow& r) {
    return "heartbeats " + std::to_string(r.heartbeats) + ", minutes " +
           std::to_string(r.active_minutes) + ", days " +
           std::to_string(std::popcount(static_cast<std::uint64_t>(r.day_mask))) + ", first " +
           show(r.first_active) + ", last " + show(r.last_active) + ", late " +
           std::to_string(r.late_heartbeats) + "/" + std::to_string(r.late_minutes) + " min";
}
std::string show(const UserMonthRow& r) {
    return "minutes " + std::to_string(r.active_minutes) + ", days " +
           std::to_string(std::popcount(static_cast<std::uint64_t>(r.day_mask))) + ", first " +
           show(r.first_active) + ", last " + show(r.last_active) + ", late " +
           std::to_string(r.late_minutes) + " min, signal " + show(r.first_signal) + ".." +
           show(r.last_signal);
}
std::string show(const DeviceDayRow& r) {
    return "heartbeats " + std::to_string(r.heartbeats) + ", minutes " +
           std::to_string(r.active_minutes) + ", users " + std::to_string(r.active_users) +
           ", last end " + std::to_string(r.last_end);
}
std::string show(const BucketRow& r) {
    return "heartbeats " + std::to_string(r.heartbeats) + ", minutes " +
           std::to_string(r.active_minutes) + ", starts from " + std::to_string(r.first_start) +
           ", last end " + std::to_string(r.last_end);
}
std::string show(const BucketUserRow& r) {
    return "minutes " + std::to_string(r.active_minutes) + ", starts from " +
           std::to_string(r.first_start) + ", last end " + std::to_string(r.last_end);
}
std::string name(const BucketKey& k) {
    return "device " + k.device_id + " hour " + std::to_string(k.hour) + " day " +
           std::to_string(k.day) + (k.late ? " late" : "") + " segment " +
           std::to_string(k.segment);
}
std::string name(const BucketUserKey& k) {
    return name(k.bucket) + " user " + (k.local ? "local " : "") + "'" + k.principal + "'";
}
std::string name(const DeviceMonthKey& k) {
    return "device " + k.first + " month " + std::to_string(k.second);
}
std::string name(const UserMonthKey& k) {
    return "device " + k.device_id + " month " + std::to_string(k.month) + " user " +
           (k.local ? "local " : "") + "'" + k.principal + "'";
}
std::string show(std::int64_t minutes) {
    return "minutes " + std::to_string(minutes);
}
std::string name(const UserDayKey& k) {
    return "device " + k.device_id + " day " + std::to_string(k.day) + " user " +
           (k.local ? "local " : "") + "'" + k.principal + "'";
}
std::string name(const DeviceDayKey& k) {
    return "device " + k.device_id + " day " + std::to_string(k.day);
}

template <typename Map>
void diff_map(const char* table, const Map& expected, const Map& stored,
              std::vector<std::string>& out, std::size_t limit) {
    for (const auto& [key, row] : expected) {
        const auto it = stored.find(key);
        if (out.size() >= limit) {
            return;
        }
        if (it == stored.end()) {
            out.push_back(std::string(table) + ": " + name(key) + ": missing, expected " +
                          show(row));
        } else if (!(it->second == row)) {
            out.push_back(std::string(table) + ": " + name(key) + ": stored " + show(it->second) +
                          ", expected " + show(row));
        }
    }
    for (const auto& [key, row] : stored) {
        if (out.size() >= limit) {
            return;
        }
        if (expected.count(key) == 0) {
            out.push_back(std::string(table) + ": " + name(key) + ": stored " + show(row) +
                          " but no counted heartbeat implies it");
        }
    }
}

}  // namespace

std::vector<std::string> diff_rollups(const Rollups& expected, const Rollups& stored,
                                      std::size_t limit) {
    std::vector<std::string> out;
    diff_map("device month", expected.device_months, stored.device_months, out, limit);
    diff_map("user month", expected.user_months, stored.user_months, out, limit);
    diff_map("device day", expected.device_days, stored.device_days, out, limit);
    diff_map("bucket", expected.buckets, stored.buckets, out, limit);
    diff_map("bucket user", expected.bucket_users, stored.bucket_users, out, limit);
    diff_map("user day", expected.user_days, stored.user_days, out, limit);
    return out;
}

}  // namespace tally::server::detail
