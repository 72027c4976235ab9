// Usage rollups on PostgreSQL (see pg_rollups.h). The rows and their arithmetic are the SQLite
// store's (server/store/rollups.cpp); here each table's additions go in one multi-row upsert
// (unnest of array parameters), rows in key order so concurrent writers lock them in one order.

#include "server/store/postgres/pg_rollups.h"

#include <limits>
#include <map>

#include "pairing/time_format.h"
#include "server/store/postgres/pg_array.h"
#include "server/store/postgres/pg_evidence.h"

namespace tally::server {
namespace {

using detail::DeviceDayKey;
using detail::Rollups;

//! The local day number of day `bit` + 1 of month YYYYMM.
std::int64_t day_of(std::int64_t month, int bit) {
    return pairing::days_from_civil(static_cast<int>(month / 100),
                                    static_cast<unsigned>(month % 100), 1) +
           bit;
}

Result<void> run(PgConnection& c, const std::string& sql, const PgParams& params) {
    auto r = c.exec(sql, params);
    if (!r) {
        return r.error();
    }
    return {};
}

Result<void> read_cuts(PgConnection& c, detail::TenantClock& clock) {
    auto r = c.exec(
        "SELECT trial_end, inactive_since FROM tenants WHERE id = $1"
        " UNION ALL SELECT since, until FROM tenant_inactive_spans WHERE tenant_id = $1",
        {pg_param(clock.tenant_id)});
    if (!r) {
        return r.error();
    }
    for (int i = 0; i < r->rows(); ++i) {
        for (int col : {0, 1}) {
            if (!r->is_null(i, col)) {
                clock.cuts.push_back(r->int64(i, col));
            }
        }
    }
    return {};
}

Result<void> apply_device_months(PgConnection& c, std::int64_t tid, const Rollups& delta) {
    PgArray month, device, hbs, minutes, mask, first, last, late_hbs, late_min;
    for (const auto& [key, row] : delta.device_months) {
        month.int64(key.second);
        device.text(key.first);
        hbs.int64(row.heartbeats);
        minutes.int64(row.active_minutes);
        mask.int64(row.day_mask);
        first.int64(row.first_active);
        last.int64(row.last_active);
        late_hbs.int64(row.late_heartbeats);
        late_min.int64(row.late_minutes);
    }
    return run(c,
               "INSERT INTO rollup_device_month AS t (tenant_id, month, device_id, heartbeats,"
               " active_minutes, day_mask, first_active, last_active, late_heartbeats,"
               " late_minutes) SELECT $1, * FROM unnest($2::int[], $3::text[], $4::bigint[],"
               " $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[],"
               " $10::bigint[]) ON CONFLICT (tenant_id, month, device_id) DO UPDATE SET"
               " heartbeats = t.heartbeats + excluded.heartbeats,"
               " active_minutes = t.active_minutes + excluded.active_minutes,"
               " day_mask = t.day_mask | excluded.day_mask,"
               " first_active = least(t.first_active, excluded.first_active),"
               " last_active = greatest(t.last_active, excluded.last_active),"
               " late_heartbeats = t.late_heartbeats + excluded.late_heartbeats,"
               " late_minutes = t.late_minutes + excluded.late_minutes",
               {pg_param(tid), month.param(), device.param(), hbs.param(), minutes.param(),
                mask.param(), first.param(), last.param(), late_hbs.param(), late_min.param()});
}

//! The stored day masks of the delta's user months (absent: 0), in the delta's order.
Result<std::map<detail::UserMonthKey, std::int64_t>> old_user_masks(PgConnection& c,
                                                                    std::int64_t tid,
                                                                    const Rollups& delta) {
    PgArray month, device, principal, local;
    for (const auto& [key, row] : delta.user_months) {
        month.int64(key.month);
        device.text(key.device_id);
        principal.text(key.principal);
        local.boolean(key.local);
    }
    auto r = c.exec(
        "SELECT u.month, u.device_id, u.principal, u.local, u.day_mask FROM rollup_user_month u"
        " JOIN unnest($2::int[], $3::text[], $4::text[], $5::bool[]) AS k(month, device_id,"
        " principal, local) ON u.month = k.month AND u.device_id = k.device_id"
        " AND u.principal = k.principal AND u.local = k.local WHERE u.tenant_id = $1",
        {pg_param(tid), month.param(), device.param(), principal.param(), local.param()});
    if (!r) {
        return r.error();
    }
    std::map<detail::UserMonthKey, std::int64_t> out;
    for (int i = 0; i < r->rows(); ++i) {
        out[{r->text(i, 1), r->int64(i, 0), r->text(i, 2), r->boolean(i, 3)}] = r->int64(i, 4);
    }
    return out;
}

//! Adds the user months and returns, per (device, day), how many users became active on it.
Result<std::map<DeviceDayKey, std::int64_t>> apply_user_months(PgConnection& c, std::int64_t tid,
                                                               const Rollups& delta) {
    auto old = old_user_masks(c, tid, delta);
    if (!old) {
        return old.error();
    }
    std::map<DeviceDayKey, std::int64_t> new_users;
    PgArray month, device, principal, local, minutes, mask, first, last, late, fsig, lsig;
    for (const auto& [key, row] : delta.user_months) {
        const auto it = old->find(key);
        const auto added = row.day_mask & ~(it == old->end() ? 0 : it->second);
        for (int bit = 0; bit < 31; ++bit) {
            if ((added >> bit) & 1) {
                ++new_users[{key.device_id, day_of(key.month, bit)}];
            }
        }
        month.int64(key.month);
        device.text(key.device_id);
        principal.text(key.principal);
        local.boolean(key.local);
        minutes.int64(row.active_minutes);
        mask.int64(row.day_mask);
        first.int64(row.first_active);
        last.int64(row.last_active);
        late.int64(row.late_minutes);
        fsig.int64(row.first_signal);
        lsig.int64(row.last_signal);
    }
    if (auto r = run(c,
                     "INSERT INTO rollup_user_month AS t (tenant_id, month, device_id, principal,"
                     " local, active_minutes, day_mask, first_active, last_active, late_minutes,"
                     " first_signal, last_signal) SELECT $1, * FROM unnest($2::int[], $3::text[],"
                     " $4::text[], $5::bool[], $6::bigint[], $7::bigint[], $8::bigint[],"
                     " $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[])"
                     " ON CONFLICT (tenant_id, month, device_id, principal, local) DO UPDATE SET"
                     " active_minutes = t.active_minutes + excluded.active_minutes,"
                     " day_mask = t.day_mask | excluded.day_mask,"
                     " first_active = least(t.first_active, excluded.first_active),"
                     " last_active = greatest(t.last_active, excluded.last_active),"
                     " late_minutes = t.late_minutes + excluded.late_minutes,"
                     " first_signal = least(t.first_signal, excluded.first_signal),"
                     " last_signal = greatest(t.last_signal, excluded.last_signal)",
                     {pg_param(tid), month.param(), device.param(), principal.param(),
                      local.param(), minutes.param(), mask.param(), first.param(), last.param(),
                      late.param(), fsig.param(), lsig.param()});
        !r) {
        return r.error();
    }
    return new_users;
}

Result<void> apply_device_days(PgConnection& c, const Rollups& delta,
                               const std::map<DeviceDayKey, std::int64_t>& new_users) {
    PgArray device, day, hbs, minutes, users, last_end;
    for (const auto& [key, row] : delta.device_days) {
        const auto it = new_users.find(key);
        device.text(key.device_id);
        day.int64(key.day);
        hbs.int64(row.heartbeats);
        minutes.int64(row.active_minutes);
        users.int64(it == new_users.end() ? 0 : it->second);
        last_end.int64(row.last_end);
    }
    return run(c,
               "INSERT INTO rollup_device_day AS t (device_id, day, heartbeats, active_minutes,"
               " active_users, last_end) SELECT * FROM unnest($1::text[], $2::bigint[],"
               " $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])"
               " ON CONFLICT (device_id, day) DO UPDATE SET"
               " heartbeats = t.heartbeats + excluded.heartbeats,"
               " active_minutes = t.active_minutes + excluded.active_minutes,"
               " active_users = t.active_users + excluded.active_users,"
               " last_end = greatest(t.last_end, excluded.last_end)",
               {device.param(), day.param(), hbs.param(), minutes.param(), users.param(),
                last_end.param()});
}

struct BucketArrays {
    PgArray device, hour, day, late, segment;
    void add(const detail::BucketKey& k) {
        device.text(k.device_id);
        hour.int64(k.hour);
        day.int64(k.day);
        late.boolean(k.late);
        segment.int64(k.segment);
    }
};

Result<void> apply_buckets(PgConnection& c, const Rollups& delta) {
    BucketArrays k;
    PgArray hbs, minutes, first, last;
    for (const auto& [key, row] : delta.buckets) {
        k.add(key);
        hbs.int64(row.heartbeats);
        minutes.int64(row.active_minutes);
        first.int64(row.first_start);
        last.int64(row.last_end);
    }
    if (auto r =
            run(c,
                "INSERT INTO rollup_bucket AS t (device_id, hour, day, late, segment,"
                " heartbeats, active_minutes, first_start, last_end) SELECT * FROM"
                " unnest($1::text[], $2::bigint[], $3::bigint[], $4::bool[], $5::bigint[],"
                " $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])"
                " ON CONFLICT (device_id, hour, day, late, segment) DO UPDATE SET"
                " heartbeats = t.heartbeats + excluded.heartbeats,"
                " active_minutes = t.active_minutes + excluded.active_minutes,"
                " first_start = least(t.first_start, excluded.first_start),"
                " last_end = greatest(t.last_end, excluded.last_end)",
                {k.device.param(), k.hour.param(), k.day.param(), k.late.param(), k.segment.param(),
                 hbs.param(), minutes.param(), first.param(), last.param()});
        !r) {
        return r;
    }
    if (delta.bucket_users.empty()) {
        return {};
    }
    BucketArrays u;
    PgArray principal, local, uminutes, ufirst, ulast;
    for (const auto& [key, row] : delta.bucket_users) {
        u.add(key.bucket);
        principal.text(key.principal);
        local.boolean(key.local);
        uminutes.int64(row.active_minutes);
        ufirst.int64(row.first_start);
        ulast.int64(row.last_end);
    }
    return run(c,
               "INSERT INTO rollup_bucket_user AS t (device_id, hour, day, late, segment,"
               " principal, local, active_minutes, first_start, last_end) SELECT * FROM"
               " unnest($1::text[], $2::bigint[], $3::bigint[], $4::bool[], $5::bigint[],"
               " $6::text[], $7::bool[], $8::bigint[], $9::bigint[], $10::bigint[])"
               " ON CONFLICT (device_id, hour, day, late, segment, principal, local) DO UPDATE"
               " SET active_minutes = t.active_minutes + excluded.active_minutes,"
               " first_start = least(t.first_start, excluded.first_start),"
               " last_end = greatest(t.last_end, excluded.last_end)",
               {u.device.param(), u.hour.param(), u.day.param(), u.late.param(), u.segment.param(),
                principal.param(), local.param(), uminutes.param(), ufirst.param(), ulast.param()});
}

Result<void> apply_user_days(PgConnection& c, const Rollups& delta) {
    if (delta.user_days.empty()) {
        return {};
    }
    PgArray device, day, principal, local, minutes;
    for (const auto& [key, m] : delta.user_days) {
        device.text(key.device_id);
        day.int64(key.day);
        principal.text(key.principal);
        local.boolean(key.local);
        minutes.int64(m);
    }
    return run(c,
               "INSERT INTO rollup_user_day AS t (device_id, day, principal, local,"
               " active_minutes) SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[],"
               " $4::bool[], $5::bigint[]) ON CONFLICT (device_id, day, principal, local)"
               " DO UPDATE SET active_minutes = t.active_minutes + excluded.active_minutes",
               {device.param(), day.param(), principal.param(), local.param(), minutes.param()});
}

}  // namespace

Result<billing::TimeZone> PgZones::get(const std::string& zone) {
    std::lock_guard lock(mutex_);
    if (const auto it = zones_.find(zone); it != zones_.end()) {
        return it->second;
    }
    auto tz = billing::TimeZone::load(zone);
    if (!tz) {
        return tz.error();
    }
    zones_.emplace(zone, *tz);
    return std::move(*tz);
}

Result<detail::TenantClock> pg_tenant_clock(PgConnection& c, PgZones& zones, std::int64_t tenant_id,
                                            bool retired) {
    auto r =
        c.exec("SELECT time_zone, grace_hours FROM tenants WHERE id = $1", {pg_param(tenant_id)});
    if (!r) {
        return r.error();
    }
    if (r->rows() == 0) {
        return make_error("not_found", "unknown tenant id " + std::to_string(tenant_id));
    }
    detail::TenantClock clock;
    clock.tenant_id = tenant_id;
    clock.zone = r->text(0, 0);
    clock.grace_hours = r->int64(0, 1);
    auto tz = zones.get(clock.zone);
    if (!tz) {
        return tz.error();
    }
    clock.tz = std::move(*tz);
    if (auto cuts = read_cuts(c, clock); !cuts) {
        return cuts.error();
    }
    if (retired) {
        auto d = c.exec(
            "SELECT id, retired_at FROM devices WHERE tenant_id = $1 AND retired_at IS NOT NULL",
            {pg_param(tenant_id)});
        if (!d) {
            return d.error();
        }
        for (int i = 0; i < d->rows(); ++i) {
            clock.retired.emplace(d->text(i, 0), d->int64(i, 1));
        }
    }
    return clock;
}

Result<detail::TenantClock> pg_clock_of(PgZones& zones, std::int64_t tenant_id,
                                        const std::string& zone, std::int64_t grace_hours,
                                        std::optional<std::int64_t> trial_end,
                                        std::optional<std::int64_t> inactive_since,
                                        const std::string& spans) {
    detail::TenantClock clock;
    clock.tenant_id = tenant_id;
    clock.zone = zone;
    clock.grace_hours = grace_hours;
    auto tz = zones.get(zone);
    if (!tz) {
        return tz.error();
    }
    clock.tz = std::move(*tz);
    for (const auto& cut : {trial_end, inactive_since}) {
        if (cut) {
            clock.cuts.push_back(*cut);
        }
    }
    std::size_t at = 0;
    while (at < spans.size()) {  // "since,until;since,until"
        std::size_t used = 0;
        clock.cuts.push_back(std::stoll(spans.substr(at), &used));
        at += used + 1;
    }
    return clock;
}

Result<void> pg_apply_rollups(PgConnection& c, std::int64_t tenant_id, const Rollups& delta) {
    if (delta.empty()) {
        return {};
    }
    if (auto r = apply_device_months(c, tenant_id, delta); !r) {
        return r;
    }
    if (auto r = apply_buckets(c, delta); !r) {
        return r;
    }
    if (auto r = apply_user_days(c, delta); !r) {
        return r;
    }
    auto new_users = apply_user_months(c, tenant_id, delta);
    if (!new_users) {
        return new_users.error();
    }
    return apply_device_days(c, delta, *new_users);
}

Result<Rollups> pg_read_month_rollups(PgConnection& c, std::int64_t tenant_id, std::int64_t month) {
    Rollups out;
    auto dm = c.exec(
        "SELECT device_id, heartbeats, active_minutes, day_mask, first_active, last_active,"
        " late_heartbeats, late_minutes FROM rollup_device_month"
        " WHERE tenant_id = $1 AND month = $2",
        {pg_param(tenant_id), pg_param(month)});
    if (!dm) {
        return dm.error();
    }
    for (int i = 0; i < dm->rows(); ++i) {
        out.device_months[{dm->text(i, 0), month}] = {
            dm->int64(i, 1),     dm->int64(i, 2), dm->int64(i, 3), dm->opt_int64(i, 4),
            dm->opt_int64(i, 5), dm->int64(i, 6), dm->int64(i, 7)};
    }
    auto um = c.exec(
        "SELECT device_id, principal, local, active_minutes, day_mask, first_active,"
        " last_active, late_minutes, first_signal, last_signal FROM rollup_user_month"
        " WHERE tenant_id = $1 AND month = $2",
        {pg_param(tenant_id), pg_param(month)});
    if (!um) {
        return um.error();
    }
    for (int i = 0; i < um->rows(); ++i) {
        out.user_months[{um->text(i, 0), month, um->text(i, 1), um->boolean(i, 2)}] = {
            um->int64(i, 3), um->int64(i, 4),     um->opt_int64(i, 5), um->opt_int64(i, 6),
            um->int64(i, 7), um->opt_int64(i, 8), um->opt_int64(i, 9)};
    }
    return out;
}

namespace {

//! The first month (YYYYMM) whose heartbeats are all still in the evidence: 0 while no
//! partition was dropped for the tenant's devices (a device's seq_floor says one was), else
//! two months after the oldest partition left (a heartbeat arrives up to the backfill limit,
//! 35 days, after it started).
Result<std::int64_t> complete_from(PgConnection& c, std::int64_t tenant_id) {
    auto r = c.exec(
        "SELECT EXISTS (SELECT 1 FROM devices WHERE tenant_id = $1 AND seq_floor > 0),"
        " (SELECT min(substring(k.relname from '[0-9]+$')::int) FROM pg_inherits i"
        " JOIN pg_class k ON k.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent"
        " WHERE p.relname = 'heartbeat_evidence')",
        {pg_param(tenant_id)});
    if (!r) {
        return r.error();
    }
    if (!r->boolean(0, 0) || r->is_null(0, 1)) {
        return std::int64_t{0};
    }
    return pg_next_month(pg_next_month(r->int64(0, 1)));
}

//! Deletes the tenant's rollup rows of months from `month` on (0: all).
Result<void> delete_rollups(PgConnection& c, std::int64_t tenant_id, std::int64_t month) {
    const auto first_day = month == 0 ? std::numeric_limits<std::int64_t>::min() : day_of(month, 0);
    const PgParams p = {pg_param(tenant_id), pg_param(month), pg_param(first_day)};
    for (const char* sql : {"DELETE FROM rollup_device_month WHERE tenant_id = $1"
                            " AND month >= $2 AND $3 = $3",
                            "DELETE FROM rollup_user_month WHERE tenant_id = $1"
                            " AND month >= $2 AND $3 = $3",
                            "DELETE FROM rollup_device_day WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = $1) AND day >= $3"
                            " AND $2 = $2",
                            "DELETE FROM rollup_bucket WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = $1) AND day >= $3"
                            " AND $2 = $2",
                            "DELETE FROM rollup_bucket_user WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = $1) AND day >= $3"
                            " AND $2 = $2",
                            "DELETE FROM rollup_user_day WHERE device_id IN"
                            " (SELECT id FROM devices WHERE tenant_id = $1) AND day >= $3"
                            " AND $2 = $2"}) {
        if (auto r = run(c, sql, p); !r) {
            return r;
        }
    }
    return {};
}

}  // namespace

// Only months whose heartbeats are all still in the evidence are recomputed: after retention
// dropped a partition, older months keep the rows they had (cut by the old zone and grace)
// rather than lose them.
Result<void> pg_rebuild_rollups(PgConnection& c, PgZones& zones, std::int64_t tenant_id) {
    const PgParams tid = {pg_param(tenant_id)};
    if (auto r = run(c, "SELECT 1 FROM devices WHERE tenant_id = $1 ORDER BY id FOR UPDATE", tid);
        !r) {
        return r;
    }
    auto from = complete_from(c, tenant_id);
    if (!from) {
        return from.error();
    }
    if (auto r = delete_rollups(c, tenant_id, *from); !r) {
        return r;
    }
    auto clock = pg_tenant_clock(c, zones, tenant_id, true);
    if (!clock) {
        return clock.error();
    }
    auto ev = c.exec(
        "SELECT e.device_id, e.received_at, encode(e.body, 'hex'), e.kind, e.counted"
        " FROM heartbeat_evidence e JOIN devices d ON d.id = e.device_id WHERE d.tenant_id = $1",
        tid);
    if (!ev) {
        return ev.error();
    }
    Rollups all;
    for (int i = 0; i < ev->rows(); ++i) {
        auto entries = pg_evidence_entries(ev->int64(i, 3), ev->hex_bytes(i, 2),
                                           ev->is_null(i, 4) ? std::string() : ev->text(i, 4));
        if (!entries) {
            return entries.error();
        }
        for (const auto& entry : *entries) {
            const auto hb = pg_entry_heartbeat(entry);
            // Undecodable only if edited by hand; before `from`: its month keeps its rows.
            if (!hb || clock->month_day(hb->start).first < *from) {
                continue;
            }
            detail::RollupHeartbeat r{ev->text(i, 0),
                                      hb->start,
                                      hb->end,
                                      ev->int64(i, 1),
                                      std::int64_t{hb->device_active_minutes},
                                      {}};
            for (const auto& u : hb->users) {
                r.users.push_back({u.principal, u.local, std::int64_t{u.active_minutes}});
            }
            all.add(*clock, r);
        }
    }
    // The deleted months' day masks are gone: every user's days in them count as new.
    return pg_apply_rollups(c, tenant_id, all);
}

}  // namespace tally::server
