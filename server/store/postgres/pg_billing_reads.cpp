// Billing reads on PostgreSQL (see pg_billing_reads.h).

#include "server/store/postgres/pg_billing_reads.h"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include "server/store/month_facts.h"
#include "server/store/postgres/postgres_store.h"

namespace tally::server {
namespace {

//! Runs `sql` ($1 = the tenant id, then `more`) and calls fn(result, row) for each row.
template <typename Fn>
Result<void> each(PgConnection& c, const std::string& sql, std::int64_t tid, Fn&& fn,
                  PgParams more = {}) {
    more.insert(more.begin(), pg_param(tid));
    auto r = c.exec(sql, more);
    if (!r) {
        return r.error();
    }
    for (int i = 0; i < r->rows(); ++i) {
        fn(*r, i);
    }
    return {};
}

//! detail::kPgDeviceColumns with only what a usage report's rows write (MonthWindow::
//! written_devices_only): the tenant, public key, OS, OS version, agent version and
//! fingerprint read as "".
constexpr const char* kReportDeviceColumns =
    "d.id, '', '', d.hostname, '', '', '', d.device_type, d.role, '', d.paired_at,"
    " d.retired_at, d.suspected_clone, d.acked_through, d.last_seq, d.last_seen";

//! The tenant's devices (by pairing) and `by_id` (device id → position), each device's type as
//! the month ending at `to` ended. `D`: Device (whole) or BillingDevice (kReportDeviceColumns,
//! each row's Device made one at a time).
template <typename D>
Result<void> read_device_rows(PgConnection& c, std::int64_t tid, std::int64_t to,
                              std::unordered_map<std::string, std::uint32_t>& by_id,
                              std::vector<D>& devices) {
    constexpr bool written_only = std::is_same_v<D, BillingDevice>;
    if (auto r = each(c,
                      std::string("SELECT ") +
                          (written_only ? kReportDeviceColumns : detail::kPgDeviceColumns) +
                          " FROM devices d JOIN tenants t ON t.id = d.tenant_id"
                          " WHERE d.tenant_id = $1 ORDER BY d.paired_at, d.id",
                      tid,
                      [&](const PgResult& r, int i) {
                          by_id.emplace(r.text(i, 0), static_cast<std::uint32_t>(devices.size()));
                          devices.push_back(D(detail::pg_device_from_row(r, i)));
                      });
        !r) {
        return r;
    }
    // Undo the changes made at or after `to`, latest first (the earliest one's old type stays).
    return each(
        c,
        "SELECT c.device_id, c.old_type FROM device_type_changes c"
        " JOIN devices d ON d.id = c.device_id WHERE d.tenant_id = $1 AND c.changed_at >= $2"
        " ORDER BY c.changed_at DESC, c.ctid DESC",
        tid,
        [&](const PgResult& r, int i) {
            if (const auto it = by_id.find(r.text(i, 0)); it != by_id.end()) {
                devices[it->second].facts.device_type = r.text(i, 1);
            }
        },
        {pg_param(to)});
}

//! read_device_rows into f.devices; with `whole`, the devices whole there too (parallel).
Result<void> read_devices(PgConnection& c, std::int64_t tid, std::int64_t to,
                          std::unordered_map<std::string, std::uint32_t>& by_id, BillingFacts& f,
                          std::vector<Device>* whole) {
    if (whole == nullptr) {  // only what billing and the rows read
        return read_device_rows(c, tid, to, by_id, f.devices);
    }
    if (auto r = read_device_rows(c, tid, to, by_id, *whole); !r) {
        return r;
    }
    f.devices.assign(whole->begin(), whole->end());
    return {};
}

//! A bucket (or bucket user) row's key within its device, and its row in the result.
struct RowKey {
    std::int64_t hour = 0;
    std::int64_t day = 0;
    bool late = false;
    std::int64_t segment = 0;
    std::string principal;  //!< users only
    bool local = false;     //!< users only
    int row = 0;

    auto bucket() const { return std::tie(hour, day, late, segment); }
    auto all() const { return std::tie(hour, day, late, segment, principal, local); }
};

//! The rows of `r` (column 0 a device id) grouped by device position in `by_id` (CSR: the
//! rows of device d are rows[start[d]] to rows[start[d + 1]]), rows of other devices left out.
//! Grouping here, not ORDER BY device_id COLLATE "C" in SQL, spares PostgreSQL a sort of
//! every row on text keys (bench/README.md, issue 21 part H).
struct DeviceGroups {
    std::vector<std::uint32_t> start;
    std::vector<int> rows;
};

DeviceGroups group_by_device(const PgResult& r,
                             const std::unordered_map<std::string, std::uint32_t>& by_id,
                             std::size_t devices) {
    std::vector<std::uint32_t> pos(static_cast<std::size_t>(r.rows()));
    DeviceGroups g;
    g.start.assign(devices + 2, 0);
    for (int i = 0; i < r.rows(); ++i) {
        const auto it = by_id.find(r.text(i, 0));
        pos[static_cast<std::size_t>(i)] = it == by_id.end() ? devices : it->second;
        ++g.start[pos[static_cast<std::size_t>(i)] + 1];
    }
    for (std::size_t d = 1; d < g.start.size(); ++d) {
        g.start[d] += g.start[d - 1];
    }
    auto next = g.start;
    g.rows.resize(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        g.rows[next[pos[static_cast<std::size_t>(i)]]++] = i;
    }
    return g;
}

//! The keys of rows [from, to) of `g`, sorted (with the principal and local when `users`).
std::vector<RowKey> sorted_keys(const PgResult& r, const DeviceGroups& g, std::uint32_t from,
                                std::uint32_t to, bool users) {
    std::vector<RowKey> keys;
    keys.reserve(to - from);
    for (auto k = from; k < to; ++k) {
        const int i = g.rows[k];
        RowKey key{r.int64(i, 1), r.int64(i, 2), r.boolean(i, 3), r.int64(i, 4), {}, false, i};
        if (users) {
            key.principal = r.text(i, 5);
            key.local = r.boolean(i, 6);
        }
        keys.push_back(std::move(key));
    }
    std::sort(keys.begin(), keys.end(),
              [](const RowKey& x, const RowKey& y) { return x.all() < y.all(); });
    return keys;
}

//! The users of bucket `key` (`users` sorted as the buckets, from `at` on) into `h`.
void attach_users(const PgResult& u, const std::vector<RowKey>& users, const RowKey& key,
                  std::size_t& at, std::unordered_map<std::string, std::uint32_t>& interned,
                  HeartbeatFact& h, BillingFacts& f) {
    while (at < users.size() && users[at].bucket() < key.bucket()) {
        ++at;  // a bucket outside the window
    }
    for (; at < users.size() && users[at].bucket() == key.bucket(); ++at) {
        const int row = users[at].row;
        if (h.user_count == 0) {
            h.first_user = static_cast<std::uint32_t>(f.heartbeat_users.size());
        }
        const auto [p, added] = interned.try_emplace(
            users[at].principal, static_cast<std::uint32_t>(f.principals.size()));
        if (added) {
            f.principals.push_back(p->first);
        }
        HeartbeatUserFact user;
        user.principal = p->second;
        user.local = users[at].local;
        user.active_minutes = u.int64(row, 7);
        user.first_start = u.int64(row, 8);
        user.last_end = u.int64(row, 9);
        f.heartbeat_users.push_back(user);
        ++h.user_count;
    }
}

//! By (start, device id, index): the engine's order.
void sort_heartbeats(BillingFacts& f) {
    std::sort(
        f.heartbeats.begin(), f.heartbeats.end(),
        [&](const HeartbeatFact& x, const HeartbeatFact& y) {
            const auto& xi = f.devices[x.device].id;
            const auto& yi = f.devices[y.device].id;
            return x.start != y.start ? x.start < y.start : xi != yi ? xi < yi : x.seq < y.seq;
        });
}

//! Which buckets read_buckets reads: those starting before `month_from` and those of the
//! devices read hour by hour (`hourly`, a PostgreSQL text[] literal).
struct BucketFilter {
    std::int64_t month_from = std::numeric_limits<std::int64_t>::max();  //!< default: all
    std::string hourly = "{}";
};

//! `ids` as a PostgreSQL text[] literal.
std::string text_array(const std::vector<std::string>& ids) {
    std::string out = "{";
    for (const auto& id : ids) {
        out += out.size() > 1 ? ",\"" : "\"";
        for (const char ch : id) {
            if (ch == '"' || ch == '\\') {
                out += '\\';
            }
            out += ch;
        }
        out += '"';
    }
    return out + "}";
}

//! Bucket rows `b` with their user rows `u` (both of read_buckets) appended to f.heartbeats,
//! device by device, each device's buckets by (hour, day, late, segment): the index order.
Result<void> append_buckets(const detail::TenantClock& clock, const PgResult& b, const PgResult& u,
                            const std::unordered_map<std::string, std::uint32_t>& by_id,
                            BillingFacts& f) {
    const auto bg = group_by_device(b, by_id, f.devices.size());
    const auto ug = group_by_device(u, by_id, f.devices.size());
    std::map<std::int64_t, std::int64_t> closes;  // month → its close
    std::unordered_map<std::string, std::uint32_t> interned;
    f.heartbeats.reserve(f.heartbeats.size() + bg.start[f.devices.size()]);
    for (std::uint32_t d = 0; d < f.devices.size(); ++d) {
        const auto buckets = sorted_keys(b, bg, bg.start[d], bg.start[d + 1], false);
        const auto users = sorted_keys(u, ug, ug.start[d], ug.start[d + 1], true);
        std::size_t at = 0;  // the next user row
        std::uint64_t index = 0;
        for (const auto& key : buckets) {
            HeartbeatFact h;
            h.device = d;
            h.seq = index++;
            h.start = b.int64(key.row, 5);
            h.end = b.int64(key.row, 6);
            if (key.late) {
                const auto month = clock.month_day(h.start).first;
                auto [it, added] = closes.try_emplace(month, 0);
                if (added) {
                    it->second = clock.close_of(month);
                }
                h.received_at = it->second;
            } else {
                h.received_at = h.start;
            }
            h.heartbeats = static_cast<std::uint32_t>(b.int64(key.row, 7));
            h.device_active_minutes = b.int64(key.row, 8);
            attach_users(u, users, key, at, interned, h, f);
            f.heartbeats.push_back(h);
        }
    }
    return {};
}

//! The tenant's buckets whose earliest start lies in [from, to) (and pass `filter`), each one
//! HeartbeatFact, with their users, appended to f.heartbeats.
Result<void> read_buckets(PgConnection& c, const detail::TenantClock& clock, std::int64_t tid,
                          std::int64_t from, std::int64_t to,
                          const std::unordered_map<std::string, std::uint32_t>& by_id,
                          const BucketFilter& filter, BillingFacts& f) {
    const PgParams range = {pg_param(from / 3600 - 1), pg_param(to / 3600 + 1), pg_param(from),
                            pg_param(to)};
    // Two branches, each bounded by an index: the hours before the month (rollup_bucket_hour,
    // schema step 5; a bucket's hour is its first start's, +-1) and the devices read hour by
    // hour (the primary key). One OR instead scanned every bucket of the month.
    const std::string bucket_columns =
        "SELECT b.device_id, b.hour, b.day, b.late, b.segment, b.first_start, b.last_end,"
        " b.heartbeats, b.active_minutes FROM rollup_bucket b JOIN devices d ON d.id = b.device_id"
        " WHERE d.tenant_id = $1 AND b.hour >= $2 AND b.hour <= $3 AND b.first_start >= $4"
        " AND b.first_start < $5";
    auto b =
        c.exec(bucket_columns + " AND b.first_start < $6 AND b.hour <= $8 UNION ALL " +
                   bucket_columns + " AND b.first_start >= $6 AND b.device_id = ANY($7)",
               {pg_param(tid), range[0], range[1], range[2], range[3], pg_param(filter.month_from),
                pg_param(filter.hourly), pg_param(filter.month_from / 3600 + 1)});
    if (!b) {
        return b.error();
    }
    // Users of the hours up to the month's first (a bucket of it may start before the month).
    const std::string user_columns =
        "SELECT u.device_id, u.hour, u.day, u.late, u.segment, u.principal, u.local,"
        " u.active_minutes, u.first_start, u.last_end FROM rollup_bucket_user u"
        " JOIN devices d ON d.id = u.device_id WHERE d.tenant_id = $1 AND u.hour >= $2"
        " AND u.hour <= $3";
    auto u = c.exec(user_columns + " AND u.hour <= $4 UNION ALL " + user_columns +
                        " AND u.hour > $4 AND u.device_id = ANY($5)",
                    {pg_param(tid), range[0], range[1], pg_param(filter.month_from / 3600),
                     pg_param(filter.hourly)});
    if (!u) {
        return u.error();
    }
    return append_buckets(clock, *b, *u, by_id, f);
}

//! The month rollups (month_facts.h) of the tenant's devices with heartbeats in month YYYYMM
//! whose local days are [first_day, last_day], by device id.
Result<std::unordered_map<std::string, MonthDeviceRollup>> read_month_rollups(
    PgConnection& c, std::int64_t tid, std::int64_t month, std::int64_t first_day,
    std::int64_t last_day) {
    std::unordered_map<std::string, MonthDeviceRollup> out;
    if (auto r = each(c,
                      "SELECT device_id, heartbeats, active_minutes, day_mask, first_active,"
                      " late_heartbeats FROM rollup_device_month WHERE tenant_id = $1"
                      " AND month = $2",
                      tid,
                      [&](const PgResult& r, int i) {
                          auto& m = out[r.text(i, 0)];
                          m.heartbeats = r.int64(i, 1);
                          m.active_minutes = r.int64(i, 2);
                          m.day_mask = static_cast<std::uint32_t>(r.int64(i, 3));
                          m.first_active = r.opt_int64(i, 4);
                          m.late_heartbeats = r.int64(i, 5);
                      },
                      {pg_param(month)});
        !r) {
        return r.error();
    }
    if (auto r =
            each(c,
                 "SELECT device_id, principal, local, active_minutes, day_mask, first_active,"
                 " last_active FROM rollup_user_month WHERE tenant_id = $1 AND month = $2"
                 " AND active_minutes > 0 ORDER BY device_id, principal COLLATE \"C\", local",
                 tid,
                 [&](const PgResult& r, int i) {
                     out[r.text(i, 0)].users.push_back(
                         {r.text(i, 1), r.boolean(i, 2), r.int64(i, 3),
                          static_cast<std::uint32_t>(r.int64(i, 4)), r.int64(i, 5), r.int64(i, 6)});
                 },
                 {pg_param(month)});
        !r) {
        return r.error();
    }
    if (auto r = each(c,
                      "SELECT x.device_id, max(x.last_end) FROM rollup_device_day x"
                      " JOIN devices d ON d.id = x.device_id WHERE d.tenant_id = $1"
                      " AND x.day >= $2 AND x.day <= $3 GROUP BY x.device_id",
                      tid,
                      [&](const PgResult& r, int i) {
                          if (const auto it = out.find(r.text(i, 0)); it != out.end()) {
                              it->second.last_end = r.int64(i, 1);
                          }
                      },
                      {pg_param(first_day), pg_param(last_day)});
        !r) {
        return r.error();
    }
    return out;
}

//! Each user's minutes over local days [run.first, run.last], by device id.
using UserDays = std::unordered_map<std::string, std::vector<UserMinutes>>;
Result<UserDays> read_user_days(PgConnection& c, std::int64_t tid, const DayRun& run) {
    UserDays out;
    if (auto r =
            each(c,
                 "SELECT x.device_id, x.principal, x.local, sum(x.active_minutes)"
                 " FROM rollup_user_day x JOIN devices d ON d.id = x.device_id"
                 " WHERE d.tenant_id = $1 AND x.day >= $2 AND x.day <= $3"
                 " GROUP BY x.device_id, x.principal, x.local",
                 tid,
                 [&](const PgResult& r, int i) {
                     out[r.text(i, 0)].push_back({r.text(i, 1), r.boolean(i, 2), r.int64(i, 3)});
                 },
                 {pg_param(run.first), pg_param(run.last)});
        !r) {
        return r.error();
    }
    return out;
}

//! The buckets of every device whose earliest start lies in one of `ranges`, by device.
Result<BillingFacts> read_range_buckets(PgConnection& c, const detail::TenantClock& clock,
                                        std::int64_t tid, const std::vector<TimeRange>& ranges,
                                        const std::unordered_map<std::string, std::uint32_t>& by_id,
                                        BillingFacts& f) {
    // Read into f (its devices), its facts set aside meanwhile.
    BillingFacts out;
    std::swap(out.heartbeats, f.heartbeats);
    std::swap(out.heartbeat_users, f.heartbeat_users);
    std::swap(out.principals, f.principals);
    Result<void> read;
    for (const auto& range : ranges) {
        if (read = read_buckets(c, clock, tid, range.from, range.to, by_id, {}, f); !read) {
            break;
        }
    }
    std::swap(out.heartbeats, f.heartbeats);
    std::swap(out.heartbeat_users, f.heartbeat_users);
    std::swap(out.principals, f.principals);
    if (!read) {
        return read.error();
    }
    std::stable_sort(
        out.heartbeats.begin(), out.heartbeats.end(),
        [](const HeartbeatFact& x, const HeartbeatFact& y) { return x.device < y.device; });
    return out;
}

//! The months of the devices of `whole` split by the trailing window (month_facts.h): the
//! hourly facts of the `untrailed` parts, then the rest of each month as one fact.
Result<void> append_split_months(
    PgConnection& c, const detail::TenantClock& clock, std::int64_t tid,
    const std::unordered_map<std::string, std::uint32_t>& by_id, const MonthWindow& month,
    const std::vector<RangeRead>& untrailed,
    const std::vector<std::pair<std::uint32_t, const MonthDeviceRollup*>>& whole,
    std::int32_t first_day, const std::function<std::uint32_t(const std::string&)>& intern,
    BillingFacts& f) {
    std::vector<TimeRange> hours;
    std::vector<std::pair<DayRun, UserDays>> days;
    for (const auto& rr : untrailed) {
        hours.insert(hours.end(), rr.hourly.begin(), rr.hourly.end());
        if (rr.days) {
            auto read = read_user_days(c, tid, *rr.days);
            if (!read) {
                return read.error();
            }
            days.emplace_back(*rr.days, std::move(*read));
        }
    }
    auto cut = read_range_buckets(c, clock, tid, hours, by_id, f);
    if (!cut) {
        return cut.error();
    }
    std::size_t at = 0;  // cut->heartbeats[at]: the next device's first
    for (const auto& [pos, m] : whole) {
        while (at < cut->heartbeats.size() && cut->heartbeats[at].device < pos) {
            ++at;  // a device read hour by hour
        }
        const auto cut_first = f.heartbeats.size();
        for (; at < cut->heartbeats.size() && cut->heartbeats[at].device == pos; ++at) {
            auto h = cut->heartbeats[at];
            const auto users = cut->users(h);
            h.seq = f.heartbeats.size() - cut_first;
            h.first_user = static_cast<std::uint32_t>(f.heartbeat_users.size());
            for (auto u : users) {
                u.principal = intern(std::string(cut->principal(u)));
                f.heartbeat_users.push_back(u);
            }
            if (h.user_count == 0) {
                h.first_user = 0;
            }
            f.heartbeats.push_back(h);
        }
        for (const auto& [run, of] : days) {
            if (const auto it = of.find(f.devices[pos].id); it != of.end()) {
                append_days_fact(run, it->second, m, pos, first_day, intern, f.heartbeats,
                                 f.heartbeat_users);
            }
        }
        append_month_rest(*m, pos, first_day, month, cut_first, intern, f.heartbeats,
                          f.heartbeat_users);
        f.heartbeats.back().seq = std::numeric_limits<std::uint32_t>::max();
    }
    return {};
}

//! The whole days of the trailing window's part before the month, [from, month_from), when
//! the rest of it (hour by hour) lies before them.
std::optional<DayRun> before_days(const detail::TenantClock& clock, std::int64_t from,
                                  std::int64_t month_from) {
    if (from >= month_from) {
        return std::nullopt;
    }
    const auto rr = split_days(clock.tz, {from, month_from});
    if (!rr.days || rr.hourly.size() > 1 ||
        (!rr.hourly.empty() && rr.hourly[0].to > rr.days->start)) {
        return std::nullopt;
    }
    return rr.days;
}

//! The trailing window's whole days `run` before the month, one fact for each device not read
//! hour by hour (`is_hourly`).
Result<void> append_before_days(PgConnection& c, std::int64_t tid, const DayRun& run,
                                const std::vector<bool>& is_hourly,
                                const std::function<std::uint32_t(const std::string&)>& intern,
                                BillingFacts& f) {
    auto days = read_user_days(c, tid, run);
    if (!days) {
        return days.error();
    }
    for (std::uint32_t i = 0; i < f.devices.size(); ++i) {
        const auto it = days->find(f.devices[i].id);
        if (!is_hourly[i] && it != days->end()) {
            append_days_fact(run, it->second, nullptr, i, 0, intern, f.heartbeats,
                             f.heartbeat_users);
        }
    }
    return {};
}

//! The facts of [from, to): whole-month facts (month_facts.h) for the devices of `month` no cut
//! splits, hourly buckets for the others and before the month; by (start, device id, index).
Result<void> read_heartbeats(PgConnection& c, const detail::TenantClock& clock, std::int64_t tid,
                             std::int64_t from, std::int64_t to,
                             const std::unordered_map<std::string, std::uint32_t>& by_id,
                             const MonthWindow* month, BillingFacts& f) {
    if (month == nullptr || !month_uncut(f.tenant, *month)) {
        if (auto r = read_buckets(c, clock, tid, from, to, by_id, {}, f); !r) {
            return r;
        }
        sort_heartbeats(f);
        return {};
    }
    const auto first_day = clock.tz.local_day(month->from);
    auto rollups = read_month_rollups(c, tid, clock.month_day(month->from).first, first_day,
                                      clock.tz.local_day(month->to - 1));
    if (!rollups) {
        return rollups.error();
    }
    const MergedKeys merged(f.aliases);
    // The trailing window before the month: its whole days from the user-day rollups.
    const auto before = before_days(clock, from, month->from);
    std::vector<std::string> hourly;
    std::vector<bool> is_hourly(f.devices.size(), false);
    std::vector<std::pair<std::uint32_t, const MonthDeviceRollup*>> whole;
    for (std::uint32_t i = 0; i < f.devices.size(); ++i) {
        const auto it = rollups->find(f.devices[i].id);
        const auto& retired = f.devices[i].retired_at;
        if (before && retired && *retired < month->to) {
            is_hourly[i] = true;  // its retirement may cut the days before the month
        } else if (it == rollups->end()) {
            continue;  // no heartbeat in the month: nothing to read in it
        } else if (device_uncut(f.devices[i], it->second, *month, merged)) {
            whole.emplace_back(i, &it->second);
        } else {
            is_hourly[i] = true;
        }
        if (is_hourly[i]) {
            hourly.push_back(f.devices[i].id);
        }
    }
    const BucketFilter filter{before ? before->start : month->from, text_array(hourly)};
    if (auto r = read_buckets(c, clock, tid, from, to, by_id, filter, f); !r) {
        return r;
    }
    std::unordered_map<std::string, std::uint32_t> interned;
    for (std::uint32_t i = 0; i < f.principals.size(); ++i) {
        interned.emplace(f.principals[i], i);
    }
    const auto intern = [&](const std::string& principal) {
        const auto [it, added] =
            interned.try_emplace(principal, static_cast<std::uint32_t>(f.principals.size()));
        if (added) {
            f.principals.push_back(principal);
        }
        return it->second;
    };
    if (before) {
        if (auto r = append_before_days(c, tid, *before, is_hourly, intern, f); !r) {
            return r;
        }
    }
    std::vector<RangeRead> untrailed;
    for (const auto& range : untrailed_parts(*month)) {
        untrailed.push_back(split_days(clock.tz, range));
    }
    if (untrailed.empty()) {
        for (const auto& [pos, m] : whole) {
            append_month_fact(*m, pos, static_cast<std::int32_t>(first_day), *month, intern,
                              f.heartbeats, f.heartbeat_users);
            f.heartbeats.back().seq = std::numeric_limits<std::uint32_t>::max();
        }
    } else if (auto r = append_split_months(c, clock, tid, by_id, *month, untrailed, whole,
                                            static_cast<std::int32_t>(first_day), intern, f);
               !r) {
        return r;
    }
    sort_heartbeats(f);
    return {};
}

//! Memberships, subscriptions, assignments and aliases of the tenant.
Result<void> read_groups(PgConnection& c, std::int64_t tid, BillingFacts& f) {
    if (auto r = each(c,
                      "SELECT m.user_key, g.name, m.since, m.until FROM group_members m"
                      " JOIN user_groups g ON g.id = m.group_id WHERE m.tenant_id = $1"
                      " ORDER BY m.since, m.id",
                      tid,
                      [&](const PgResult& r, int i) {
                          f.memberships.push_back(
                              {r.text(i, 0), r.text(i, 1), r.int64(i, 2), r.opt_int64(i, 3)});
                      });
        !r) {
        return r;
    }
    if (auto r = each(c,
                      "SELECT g.name, s.package, s.attached_at FROM subscriptions s"
                      " JOIN user_groups g ON g.id = s.group_id WHERE g.tenant_id = $1"
                      " ORDER BY s.attached_at, s.id",
                      tid,
                      [&](const PgResult& r, int i) {
                          f.subscriptions.push_back({r.text(i, 0), r.text(i, 1), r.int64(i, 2)});
                      });
        !r) {
        return r;
    }
    if (auto r = each(c,
                      "SELECT a.device_id, a.user_key, a.since FROM device_assignments a"
                      " JOIN devices d ON d.id = a.device_id WHERE d.tenant_id = $1"
                      " ORDER BY a.since, a.id",
                      tid,
                      [&](const PgResult& r, int i) {
                          AssignmentFact a;
                          a.device_id = r.text(i, 0);
                          if (!r.is_null(i, 1)) {
                              a.user_key = r.text(i, 1);
                          }
                          a.since = r.int64(i, 2);
                          f.assignments.push_back(std::move(a));
                      });
        !r) {
        return r;
    }
    return each(c, "SELECT alias_key, user_key FROM user_aliases WHERE tenant_id = $1", tid,
                [&](const PgResult& r, int i) {
                    f.aliases.push_back({r.text(i, 0), r.text(i, 1)});
                });
}

}  // namespace

Result<BillingFacts> pg_read_billing_facts(PgConnection& c, PgZones& zones, std::string_view tenant,
                                           std::int64_t from, std::int64_t to,
                                           bool signals_when_assigned, const MonthWindow* month,
                                           std::vector<Device>* whole) {
    auto settings = detail::pg_tenant_settings(c, tenant);
    if (!settings) {
        return settings.error();
    }
    auto tid = detail::pg_tenant_id(c, tenant);
    if (!tid) {
        return tid.error();
    }
    BillingFacts f;
    f.tenant = std::move(*settings);
    std::unordered_map<std::string, std::uint32_t> by_id;
    if (auto r = read_devices(c, *tid, to, by_id, f, whole); !r) {
        return r.error();
    }
    auto clock = pg_tenant_clock(c, zones, *tid, true);
    if (!clock) {
        return clock.error();
    }
    if (auto r = read_groups(c, *tid, f); !r) {  // the merges first: month facts skip them
        return r.error();
    }
    if (auto r = read_heartbeats(c, *clock, *tid, from, to, by_id, month, f); !r) {
        return r.error();
    }
    if (signals_when_assigned && f.assignments.empty()) {
        return f;
    }
    if (auto r = each(c,
                      "SELECT principal, local, CASE WHEN local THEN device_id ELSE '' END,"
                      " min(first_signal), max(last_signal) FROM rollup_user_month"
                      " WHERE tenant_id = $1 AND last_signal IS NOT NULL GROUP BY 1, 2, 3",
                      *tid,
                      [&](const PgResult& r, int i) {
                          f.signals.push_back({r.text(i, 0), r.boolean(i, 1), r.text(i, 2),
                                               r.int64(i, 3), r.int64(i, 4)});
                      });
        !r) {
        return r.error();
    }
    return f;
}

Result<std::unordered_map<std::string, DeviceEvidence>> pg_read_tenant_evidence(
    PgConnection& c, std::int64_t tid, const std::vector<BillingDevice>& devices) {
    std::unordered_map<std::string, DeviceEvidence> out;
    out.reserve(devices.size());
    for (const auto& d : devices) {
        out.try_emplace(d.id);
    }
    const std::string of_tenant = " JOIN devices d ON d.id = x.device_id WHERE d.tenant_id = $1";
    // Gap ranges may overlap (re-declared after a spool repair): the union is counted per
    // device, and apart the part with reason server_lost.
    std::string gap_device;
    std::int64_t covered_to = 0;
    std::int64_t lost_covered_to = 0;
    if (auto r = each(c,
                      "SELECT x.device_id, x.from_seq, x.to_seq, x.reason = 'server_lost'"
                      " FROM gaps x" +
                          of_tenant + " ORDER BY x.device_id, x.from_seq, x.to_seq",
                      tid,
                      [&](const PgResult& r, int i) {
                          auto& e = out[r.text(i, 0)];
                          if (r.text(i, 0) != gap_device) {
                              gap_device = r.text(i, 0);
                              covered_to = lost_covered_to = 0;
                          }
                          const auto to = r.int64(i, 2);
                          const auto from = std::max(r.int64(i, 1), covered_to + 1);
                          if (to >= from) {
                              e.gap_seqs += static_cast<std::uint64_t>(to - from + 1);
                              covered_to = to;
                          }
                          const auto lost_from = std::max(r.int64(i, 1), lost_covered_to + 1);
                          if (r.boolean(i, 3) && to >= lost_from) {
                              e.lost_by_server += static_cast<std::uint64_t>(to - lost_from + 1);
                              lost_covered_to = to;
                          }
                      });
        !r) {
        return r.error();
    }
    const std::array<std::pair<const char*, std::uint64_t DeviceEvidence::*>, 3> counts = {{
        {"SELECT x.device_id, count(DISTINCT x.seq) FROM forks x", &DeviceEvidence::forks},
        {"SELECT x.device_id, count(*) FROM chain_breaks x", &DeviceEvidence::chain_breaks},
        {"SELECT x.device_id, count(*) FROM held_heartbeats x", &DeviceEvidence::held},
    }};
    for (const auto& count : counts) {
        const auto field = count.second;
        if (auto r = each(c, count.first + of_tenant + " GROUP BY x.device_id", tid,
                          [&](const PgResult& r, int i) {
                              out[r.text(i, 0)].*field = static_cast<std::uint64_t>(r.int64(i, 1));
                          });
            !r) {
            return r.error();
        }
    }
    if (auto r = each(c,
                      "SELECT id FROM devices WHERE tenant_id = $1 AND retired_at IS NOT NULL"
                      " AND retire_reason = 'revoked'",
                      tid, [&](const PgResult& r, int i) { out[r.text(i, 0)].revoked = true; });
        !r) {
        return r.error();
    }
    if (auto r = each(
            c,
            "SELECT x.device_id FROM device_enrollments x" + of_tenant +
                " AND x.method = 'import_tofu'",
            tid, [&](const PgResult& r, int i) { out[r.text(i, 0)].trust_on_first_use = true; });
        !r) {
        return r.error();
    }
    return out;
}

}  // namespace tally::server
