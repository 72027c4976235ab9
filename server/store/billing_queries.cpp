// The set-based billing reads of the SQLite store (see billing_queries.h).

#include "server/store/billing_queries.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <thread>
#include <type_traits>
#include <utility>

#include "server/store/device_row.h"
#include "server/store/month_facts.h"
#include "server/store/month_rollup_scan.h"
#include "server/store/rollups.h"
#include "server/store/text_interner.h"

namespace tally::server::detail {
namespace {

//! Runs `sql` with ?1 = `id` (and ?2, ?3 = `more`) and calls fn for each row.
template <typename Id, typename Fn, typename... More>
Result<void> query(SqliteDb& db, const std::string& sql, const Id& id, Fn&& fn,
                   const More&... more) {
    auto s = db.prepare(sql);
    if (!s) {
        return s.error();
    }
    s->bind(1, id);
    int index = 1;
    (s->bind(++index, more), ...);
    return s->each_row(std::forward<Fn>(fn));
}

std::optional<std::int64_t> opt_int(const SqliteStatement& s, int col) {
    return s.is_null(col) ? std::nullopt : std::optional<std::int64_t>(s.int64(col));
}

//! Heartbeats by (start, device id, seq), with the devices' rank by id so no id is compared
//! per heartbeat.
struct HeartbeatOrder {
    const std::vector<std::uint32_t>* rank;
    bool operator()(const HeartbeatFact& a, const HeartbeatFact& b) const {
        const auto& r = *rank;
        return a.start != b.start           ? a.start < b.start
               : r[a.device] != r[b.device] ? r[a.device] < r[b.device]
                                            : a.seq < b.seq;
    }
};

//! The heartbeats of the window of the devices with a rowid in [lo, hi] in `order`, with their
//! users, principals interned in `principals` (the part's own numbering).
struct HeartbeatPart {
    std::vector<HeartbeatFact> read;
    std::vector<HeartbeatUserFact> users;  // each heartbeat's users contiguous
    TextInterner principals;
};

//! The rollup buckets (rollups.h BucketKey) of one device whose earliest start lies in
//! [from, to), each as one HeartbeatFact standing for its heartbeats, with its users.
class BucketReader {
  public:
    BucketReader(SqliteDb& db, const TenantClock& clock) : db_(db), clock_(clock) {}

    Result<void> read(std::string_view device_id, std::uint32_t device_pos, std::int64_t from,
                      std::int64_t to, HeartbeatPart& part) {
        if (auto r = prepare(); !r) {
            return r;
        }
        const auto lo = from / 3600 - 1;  // hours whose heartbeats can start in [from, to)
        const auto hi = to / 3600 + 1;
        const auto first = part.read.size();
        buckets_->reset().bind(1, device_id).bind(2, lo).bind(3, hi).bind(4, from).bind(5, to);
        if (auto r = buckets_->each_row([&](const SqliteStatement& row) {
                HeartbeatFact h;
                h.device = device_pos;
                h.seq = part.read.size() - first;
                h.start = row.int64(4);
                h.end = row.int64(5);
                h.received_at = row.int64(2) != 0 ? close_after(h.start) : h.start;
                h.heartbeats = static_cast<std::uint32_t>(row.int64(6));
                h.device_active_minutes = row.int64(7);
                part.read.push_back(h);
                keys_.push_back({row.int64(0), row.int64(1), row.int64(2), row.int64(3)});
            });
            !r) {
            return r;
        }
        return read_users(device_id, lo, hi, first, part);
    }

    //! The device's month as one fact (month_facts.h).
    void append_month(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                      const MonthWindow& w, HeartbeatPart& part) {
        const auto seq = part.read.size();
        append_month_fact(
            m, device_pos, first_day, w,
            [&](const std::string& principal) { return intern(principal, part); }, part.read,
            part.users);
        part.read.back().seq = seq;
    }

    //! The rest of a split month: `m` minus the hourly facts part.read[cut_first, end).
    void append_rest(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                     const MonthWindow& w, std::size_t cut_first, HeartbeatPart& part) {
        const auto seq = part.read.size() - cut_first;
        append_month_rest(
            m, device_pos, first_day, w, cut_first,
            [&](const std::string& principal) { return intern(principal, part); }, part.read,
            part.users);
        part.read.back().seq = seq;
    }

    //! The whole days `run` of the device as one fact (month_facts.h append_days_fact).
    Result<void> read_days(const std::string& device_id, std::uint32_t device_pos,
                           const DayRun& run, const MonthDeviceRollup* m, std::int32_t first_day,
                           HeartbeatPart& part) {
        if (!days_) {
            auto d = db_.prepare(
                "SELECT principal, local, sum(active_minutes) FROM rollup_user_day"
                " WHERE device_id = ?1 AND day >= ?2 AND day <= ?3 GROUP BY principal, local"
                " ORDER BY principal, local");
            if (!d) {
                return d.error();
            }
            days_.emplace(std::move(*d));
        }
        day_minutes_.clear();
        days_->reset().bind(1, device_id).bind(2, run.first).bind(3, run.last);
        if (auto r = days_->each_row([&](const SqliteStatement& row) {
                day_minutes_.push_back({row.text(0), row.int64(1) != 0, row.int64(2)});
            });
            !r) {
            return r;
        }
        const auto seq = part.read.size();
        append_days_fact(
            run, day_minutes_, m, device_pos, first_day,
            [&](const std::string& principal) { return intern(principal, part); }, part.read,
            part.users);
        if (part.read.size() > seq) {
            part.read.back().seq = seq;
        }
        return {};
    }

  private:
    using Key = std::array<std::int64_t, 4>;  // hour, day, late, segment

    std::uint32_t intern(std::string_view principal, HeartbeatPart& part) {
        return part.principals.intern(principal);
    }

    Result<void> prepare() {
        if (buckets_) {
            return {};
        }
        auto b = db_.prepare(
            "SELECT hour, day, late, segment, first_start, last_end, heartbeats, active_minutes"
            " FROM rollup_bucket WHERE device_id = ?1 AND hour >= ?2 AND hour <= ?3"
            " AND first_start >= ?4 AND first_start < ?5 ORDER BY hour, day, late, segment");
        if (!b) {
            return b.error();
        }
        auto u = db_.prepare(
            "SELECT hour, day, late, segment, principal, local, active_minutes, first_start,"
            " last_end FROM rollup_bucket_user WHERE device_id = ?1 AND hour >= ?2"
            " AND hour <= ?3 ORDER BY hour, day, late, segment, principal, local");
        if (!u) {
            return u.error();
        }
        buckets_.emplace(std::move(*b));
        users_.emplace(std::move(*u));
        return {};
    }

    Result<void> read_users(std::string_view device_id, std::int64_t lo, std::int64_t hi,
                            std::size_t first, HeartbeatPart& part) {
        std::size_t at = 0;  // keys_[at] is the bucket of part.read[first + at]
        users_->reset().bind(1, device_id).bind(2, lo).bind(3, hi);
        auto r = users_->each_row([&](const SqliteStatement& row) {
            const Key key{row.int64(0), row.int64(1), row.int64(2), row.int64(3)};
            while (at < keys_.size() && keys_[at] < key) {
                ++at;
            }
            if (at == keys_.size() || keys_[at] != key) {
                return;  // a bucket outside the window
            }
            auto& h = part.read[first + at];
            if (h.user_count == 0) {
                h.first_user = static_cast<std::uint32_t>(part.users.size());
            }
            HeartbeatUserFact u;
            u.principal = intern(row.text(4), part);
            u.local = row.int64(5) != 0;
            u.active_minutes = row.int64(6);
            u.first_start = row.int64(7);
            u.last_end = row.int64(8);
            part.users.push_back(u);
            ++h.user_count;
        });
        keys_.clear();
        return r;
    }

    //! The close instant of the month of `start` (what a late bucket was received at or after).
    std::int64_t close_after(std::int64_t start) {
        const auto month = clock_.month_day(start).first;
        auto [it, added] = closes_.try_emplace(month, 0);
        if (added) {
            it->second = clock_.close_of(month);
        }
        return it->second;
    }

    SqliteDb& db_;
    const TenantClock& clock_;
    std::optional<SqliteStatement> buckets_;
    std::optional<SqliteStatement> users_;
    std::optional<SqliteStatement> days_;
    std::vector<UserMinutes> day_minutes_;
    std::vector<Key> keys_;
    std::map<std::int64_t, std::int64_t> closes_;
};

//! Whole-month facts for the report of one month (month_facts.h); absent: buckets only.
struct MonthPlan {
    const MonthWindow* window = nullptr;
    MonthKey key;
    const ScannedRollups* rollups = nullptr;
    std::vector<std::uint32_t> rollup_of;  //!< by device position: index in *rollups
    const MergedKeys* merged = nullptr;
    const std::vector<BillingDevice>* devices = nullptr;
    std::vector<RangeRead> untrailed;  //!< untrailed_parts(*window), split in days
    std::optional<RangeRead> before;   //!< the trailing window before the month, in days
};

//! Room in `part` for the month facts of `devices` devices, the i-th at position(i) (one fact
//! each, with its rollups' users), so that neither vector is copied as it grows: at 100,000
//! devices the users alone are ~8 MB. (A loop, not std::views: clang 14, which builds the fuzz
//! targets, cannot compile libstdc++ 12's views.)
template <typename Position>
void reserve_month_facts(const MonthPlan& plan, std::size_t devices, Position&& position,
                         HeartbeatPart& part) {
    if (plan.rollups == nullptr) {
        return;
    }
    std::size_t users = 0;
    for (std::size_t i = 0; i < devices; ++i) {
        if (const auto at = plan.rollup_of[position(i)]; at != kNoRollup) {
            users += plan.rollups->user_count(at);
        }
    }
    part.read.reserve(part.read.size() + devices);
    part.users.reserve(part.users.size() + users);
}

//! Range `rr` of device `id` (`m`: inside its month): hour by hour at the edges, a fact for its
//! whole days.
Result<void> read_range(BucketReader& reader, const RangeRead& rr, const std::string& id,
                        std::uint32_t pos, const MonthDeviceRollup* m, std::int32_t first_day,
                        HeartbeatPart& part) {
    for (const auto& range : rr.hourly) {
        if (auto r = reader.read(id, pos, range.from, range.to, part); !r) {
            return r;
        }
    }
    if (rr.days) {
        return reader.read_days(id, pos, *rr.days, m, first_day, part);
    }
    return {};
}

//! A device of `plan` no tenant-wide cut splits (`m`: its month rollups, if any): the trailing
//! window's part before the month hour by hour, then its month as one fact, or its untrailed
//! parts hour by hour and the rest as one fact (month_facts.h).
Result<void> read_uncut(BucketReader& reader, const MonthDeviceRollup* m, const std::string& id,
                        std::uint32_t pos, std::int64_t from, const MonthPlan& plan,
                        HeartbeatPart& part) {
    const auto& w = *plan.window;
    const auto first_day = static_cast<std::int32_t>(plan.key.first_day);
    if (from < w.from) {
        // A device retired before the month's end: its retirement may cut the whole days.
        const auto& retired = (*plan.devices)[pos].retired_at;
        if (retired && *retired < w.to) {
            if (auto r = reader.read(id, pos, from, w.from, part); !r) {
                return r;
            }
        } else if (auto r = read_range(reader, *plan.before, id, pos, nullptr, first_day, part);
                   !r) {
            return r;
        }
    }
    if (m == nullptr) {
        return {};
    }
    if (plan.untrailed.empty()) {
        reader.append_month(*m, pos, first_day, w, part);
        return {};
    }
    const auto cut_first = part.read.size();
    for (const auto& rr : plan.untrailed) {
        if (auto r = read_range(reader, rr, id, pos, m, first_day, part); !r) {
            return r;
        }
    }
    reader.append_rest(*m, pos, first_day, w, cut_first, part);
    return {};
}

Result<void> read_part(SqliteDb& db, const TenantClock& clock, std::int64_t from, std::int64_t to,
                       std::int64_t lo, std::int64_t hi,
                       const std::unordered_map<std::int64_t, std::uint32_t>& by_rowid,
                       const std::vector<BillingDevice>& devices, const HeartbeatOrder& order,
                       HeartbeatPart& part, const MonthPlan& plan) {
    // By rowid: the principals are interned in the same order whether one connection reads
    // every device or two read a half each (merge_parts appends the upper half's new ones).
    std::vector<std::pair<std::int64_t, std::uint32_t>> mine;
    for (const auto& entry : by_rowid) {
        if (entry.first >= lo && entry.first <= hi) {
            mine.push_back(entry);
        }
    }
    std::sort(mine.begin(), mine.end());
    reserve_month_facts(
        plan, mine.size(), [&](std::size_t i) { return mine[i].second; }, part);
    BucketReader reader(db, clock);
    MonthDeviceRollup rollup;  // the device's, its storage reused
    for (const auto& [rowid, pos] : mine) {
        const auto& id = devices[pos].id;
        if (plan.rollups != nullptr) {
            // This part's own entries: the other part's thread touches none of them.
            const MonthDeviceRollup* m = nullptr;
            if (const auto at = plan.rollup_of[pos]; at != kNoRollup) {
                plan.rollups->get(at, rollup);
                m = &rollup;
            }
            if (m == nullptr || device_uncut(devices[pos], *m, *plan.window, *plan.merged)) {
                if (auto r = read_uncut(reader, m, id, pos, from, plan, part); !r) {
                    return r;
                }
                continue;
            }
        }
        if (auto r = reader.read(id, pos, from, to, part); !r) {
            return r;
        }
    }
    // Users come by (bucket, principal, local) from the primary key: each bucket's in order.
    std::sort(part.read.begin(), part.read.end(), order);
    return {};
}

//! `lower` and `upper` merged in `order` (users and principals renumbered), in place in
//! `lower` (reserve_month_facts gave it room for both): no third copy of the facts.
HeartbeatPart merge_parts(HeartbeatPart&& lower, HeartbeatPart&& upper,
                          const HeartbeatOrder& order) {
    const auto& upper_texts = upper.principals.texts();
    std::vector<std::uint32_t> renumbered(upper_texts.size());
    for (std::size_t i = 0; i < upper_texts.size(); ++i) {
        renumbered[i] = lower.principals.intern(upper_texts[i]);  // new ones appended
    }
    upper.principals = TextInterner{};
    const auto user_base = static_cast<std::uint32_t>(lower.users.size());
    for (auto& h : upper.read) {
        if (h.user_count > 0) {
            h.first_user += user_base;
        }
    }
    const auto middle = static_cast<std::ptrdiff_t>(lower.read.size());
    lower.read.insert(lower.read.end(), upper.read.begin(), upper.read.end());
    std::vector<HeartbeatFact>().swap(upper.read);
    std::inplace_merge(lower.read.begin(), lower.read.begin() + middle, lower.read.end(), order);
    lower.users.reserve(lower.users.size() + upper.users.size());
    for (auto u : upper.users) {
        u.principal = renumbered[u.principal];
        lower.users.push_back(u);
    }
    std::vector<HeartbeatUserFact>().swap(upper.users);
    return std::move(lower);
}

//! The devices' positions by id and each one's rank in that order.
struct DeviceOrder {
    std::vector<std::uint32_t> by_id;
    std::vector<std::uint32_t> rank;
};

template <typename D>
DeviceOrder order_by_id(const std::vector<D>& devices) {
    DeviceOrder o;
    o.by_id.resize(devices.size());
    for (std::uint32_t i = 0; i < o.by_id.size(); ++i) {
        o.by_id[i] = i;
    }
    std::sort(o.by_id.begin(), o.by_id.end(),
              [&](std::uint32_t a, std::uint32_t b) { return devices[a].id < devices[b].id; });
    o.rank.resize(devices.size());
    for (std::uint32_t i = 0; i < o.by_id.size(); ++i) {
        o.rank[o.by_id[i]] = i;
    }
    return o;
}

//! The key of `month`'s rollups.
MonthKey month_key(const TenantClock& clock, std::int64_t tid, const MonthWindow& month) {
    MonthKey key;
    key.tid = tid;
    key.month = clock.month_day(month.from).first;
    key.first_day = clock.tz.local_day(month.from);
    key.last_day = clock.tz.local_day(month.to - 1);
    return key;
}

//! Whole-month facts for the devices of `f` when no tenant-wide cut splits `month` (none
//! without `month`: buckets only).
MonthPlan plan_month(const TenantClock& clock, std::int64_t tid, std::int64_t from,
                     const MonthWindow* month, const MergedKeys& merged, const BillingFacts& f) {
    MonthPlan plan;
    if (month == nullptr || !month_uncut(f.tenant, *month)) {
        return plan;
    }
    plan.window = month;
    plan.key = month_key(clock, tid, *month);
    plan.merged = &merged;
    for (const auto& range : untrailed_parts(*month)) {
        plan.untrailed.push_back(split_days(clock.tz, range));
    }
    if (from < month->from) {
        plan.before = split_days(clock.tz, {from, month->from});
    }
    plan.devices = &f.devices;
    return plan;
}

//! The heartbeats of the window, then ordered by (start, device id, seq) here: an ORDER BY
//! would make SQLite copy every row into a temporary b-tree first. `by_rowid`: device rowid →
//! position in f.devices (read in the same transaction). With `second` (a connection reading
//! the same snapshot), half of the devices are read on it, on a thread of their own. `scanned`:
//! the month rollups when the month is read as whole-month facts (plan_month), else empty.
Result<void> read_heartbeats(SqliteDb& db, SqliteDb* second, const TenantClock& clock,
                             std::int64_t tid, std::int64_t from, std::int64_t to,
                             const std::unordered_map<std::int64_t, std::uint32_t>& by_rowid,
                             const MonthWindow* month, const DeviceOrder& by_id,
                             ScannedRollups& scanned, BillingFacts& f) {
    const MergedKeys merged(f.aliases);
    auto plan = plan_month(clock, tid, from, month, merged, f);
    constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    const auto& devices = f.devices;
    const HeartbeatOrder order{&by_id.rank};
    if (plan.window != nullptr) {
        plan.rollup_of = match_month_rollups(scanned, devices, by_id.by_id);
        plan.rollups = &scanned;
    }

    std::int64_t split = kMax;  // the first rowid of the upper half
    if (second != nullptr && by_rowid.size() >= 2) {
        std::vector<std::int64_t> rowids;
        rowids.reserve(by_rowid.size());
        for (const auto& entry : by_rowid) {
            rowids.push_back(entry.first);
        }
        const auto mid = rowids.begin() + static_cast<std::ptrdiff_t>(rowids.size() / 2);
        std::nth_element(rowids.begin(), mid, rowids.end());
        split = *mid;
    }
    HeartbeatPart all;
    HeartbeatPart upper;
    if (split == kMax) {
        if (auto r =
                read_part(db, clock, from, to, kMin, kMax, by_rowid, devices, order, all, plan);
            !r) {
            return r;
        }
    } else {
        // Room for both halves in the lower one: the merge appends the upper's users to it.
        reserve_month_facts(
            plan, devices.size(), [](std::size_t i) { return i; }, all);
        Result<void> upper_result;
        std::thread upper_reader([&] {
            upper_result = read_part(*second, clock, from, to, split, kMax, by_rowid, devices,
                                     order, upper, plan);
        });
        auto lower_result =
            read_part(db, clock, from, to, kMin, split - 1, by_rowid, devices, order, all, plan);
        upper_reader.join();
        if (!lower_result) {
            return lower_result;
        }
        if (!upper_result) {
            return upper_result;
        }
    }
    scanned = ScannedRollups{};  // read no more: freed before the merge
    if (split != kMax) {
        all = merge_parts(std::move(all), std::move(upper), order);
    }
    auto& read = all.read;
    f.heartbeats = std::move(read);
    f.heartbeat_users = std::move(all.users);
    f.principals = all.principals.take();
    return {};
}

}  // namespace

namespace {

//! Runs `sql` (its one parameter: the tenant's name) and reads its row with `read`; error
//! not_found when no tenant has that name.
template <typename T, typename Read>
Result<T> read_tenant_row(SqliteDb& db, const char* sql, std::string_view tenant, Read&& read) {
    auto s = db.prepare(sql);
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
    return read(*s);
}

}  // namespace

Result<std::int64_t> tenant_id(SqliteDb& db, std::string_view tenant) {
    return read_tenant_row<std::int64_t>(db, "SELECT id FROM tenants WHERE name = ?", tenant,
                                         [](const SqliteStatement& s) { return s.int64(0); });
}

Result<ReadTransaction> ReadTransaction::begin(SqliteDb& db) {
    if (auto r = db.exec("BEGIN"); !r) {
        return r.error();
    }
    ReadTransaction txn(db);
    // A deferred BEGIN takes its snapshot at the first read: read now, so the snapshot is the
    // database as of this call.
    if (auto r = query(db, "SELECT count(*) FROM sqlite_master WHERE ?1", std::int64_t{1},
                       [](const SqliteStatement&) {});
        !r) {
        return r.error();
    }
    return txn;
}

ReadTransaction::~ReadTransaction() {
    if (db_ != nullptr) {
        // Nothing was written: ending a read transaction cannot lose anything.
        (void)db_->exec("COMMIT");
    }
}

Result<TenantSettings> read_tenant_settings(SqliteDb& db, std::string_view tenant) {
    auto settings = read_tenant_row<TenantSettings>(
        db,
        "SELECT name, status, trial_end, inactive_since, time_zone, count_devices_by,"
        " default_package, grace_hours, created_at FROM tenants WHERE name = ?",
        tenant, [](const SqliteStatement& s) {
            TenantSettings t;
            t.name = s.text(0);
            t.status = s.text(1);
            t.trial_end = opt_int(s, 2);
            t.inactive_since = opt_int(s, 3);
            t.time_zone = s.text(4);
            t.count_devices_by = s.text(5);
            t.default_package = s.text(6);
            t.grace_hours = s.int64(7);
            t.created_at = s.int64(8);
            return t;
        });
    if (!settings) {
        return settings;
    }
    if (auto r = query(db,
                       "SELECT s.since, s.until FROM tenant_inactive_spans s"
                       " JOIN tenants t ON t.id = s.tenant_id WHERE t.name = ? ORDER BY s.since",
                       tenant,
                       [&](const SqliteStatement& s) {
                           settings->inactive_spans.push_back({s.int64(0), s.int64(1)});
                       });
        !r) {
        return r.error();
    }
    return settings;
}

namespace {

//! Sorts `devices` (rowids[i]: devices[i]'s) by (paired_at, id) in place, with `by_id` (their
//! order by id) kept right and `by_rowid` mapping each rowid to its device's position. The ids
//! are compared once (by_id): the pairing order compares each device's rank in it.
template <typename D>
void sort_by_pairing(std::vector<D>& devices, const std::vector<std::int64_t>& rowids,
                     std::unordered_map<std::int64_t, std::uint32_t>& by_rowid,
                     DeviceOrder& by_id) {
    const auto n = static_cast<std::uint32_t>(devices.size());
    std::vector<std::uint32_t> order(n);  // new position → old
    for (std::uint32_t i = 0; i < n; ++i) {
        order[i] = i;
    }
    const auto by_pairing = [&](std::uint32_t a, std::uint32_t b) {
        const auto pa = devices[a].paired_at;
        const auto pb = devices[b].paired_at;
        return pa != pb ? pa < pb : by_id.rank[a] < by_id.rank[b];
    };
    by_rowid.reserve(n);
    if (std::is_sorted(order.begin(), order.end(), by_pairing)) {  // paired in rowid order
        for (std::uint32_t i = 0; i < n; ++i) {
            by_rowid.emplace(rowids[i], i);
        }
        return;
    }
    std::sort(order.begin(), order.end(), by_pairing);
    // In place, each cycle of the permutation followed once: no second vector of devices.
    std::vector<bool> placed(n, false);
    for (std::uint32_t start = 0; start < n; ++start) {
        if (placed[start] || order[start] == start) {
            continue;
        }
        D held = std::move(devices[start]);
        std::uint32_t at = start;
        while (order[at] != start) {
            devices[at] = std::move(devices[order[at]]);
            placed[at] = true;
            at = order[at];
        }
        devices[at] = std::move(held);
        placed[at] = true;
    }
    std::vector<std::uint32_t> moved_to(n);  // old position → new
    for (std::uint32_t i = 0; i < n; ++i) {
        moved_to[order[i]] = i;
        by_rowid.emplace(rowids[order[i]], i);
    }
    for (auto& pos : by_id.by_id) {
        pos = moved_to[pos];
    }
    for (std::uint32_t i = 0; i < n; ++i) {
        by_id.rank[by_id.by_id[i]] = i;
    }
}

//! The tenant's devices in `devices` by (paired_at, id), `by_rowid` mapping each device's
//! rowid to its position, `by_id` their order by id. Read in the index's order and sorted here:
//! an ORDER BY makes SQLite sort every row in its sorter first, several times slower at 100,000
//! devices. `D`: Device (whole) or BillingDevice (kReportDeviceColumns only).
template <typename D>
Result<void> read_device_rows(SqliteDb& db, std::int64_t tid,
                              std::unordered_map<std::int64_t, std::uint32_t>& by_rowid,
                              DeviceOrder& by_id, std::vector<D>& devices) {
    constexpr bool kWhole = std::is_same_v<D, Device>;
    std::vector<D> read;
    std::vector<std::int64_t> rowids;

    if (auto r = query(db, "SELECT count(*) FROM devices WHERE tenant_id = ?", tid,
                       [&](const SqliteStatement& s) {
                           const auto n = static_cast<std::size_t>(s.int64(0));
                           read.reserve(n);
                           rowids.reserve(n);
                       });
        !r) {
        return r.error();
    }
    if (auto r = query(db,
                       !kWhole ? std::string("SELECT ") + kReportDeviceColumns +
                                     ", d.rowid FROM devices d WHERE d.tenant_id = ?"
                               : std::string("SELECT ") + kDeviceColumns + ", d.rowid" +
                                     " FROM devices d JOIN tenants t ON t.id = d.tenant_id"
                                     " WHERE d.tenant_id = ?",
                       tid,
                       [&](const SqliteStatement& s) {
                           rowids.push_back(s.int64(16));
                           if constexpr (kWhole) {
                               read.push_back(device_from_row(s));
                           } else {
                               read.push_back(billing_device_from_row(s));
                           }
                       });
        !r) {
        return r.error();
    }
    devices = std::move(read);
    by_id = order_by_id(devices);
    sort_by_pairing(devices, rowids, by_rowid, by_id);
    return {};
}

//! The tenant's devices in `devices` (by pairing), `by_rowid` mapping each device's rowid to
//! its position, `by_id` their order by id; each device's type as the month ending at `to` ended.
template <typename D>
Result<void> read_devices(SqliteDb& db, std::int64_t tid, std::int64_t to,
                          std::unordered_map<std::int64_t, std::uint32_t>& by_rowid,
                          DeviceOrder& by_id, std::vector<D>& devices) {
    if (auto r = read_device_rows(db, tid, by_rowid, by_id, devices); !r) {
        return r;
    }
    // A device's type as the month ended: undo the changes made at or after `to` (latest
    // first, so the earliest one's old type is left).
    if (auto r = query(
            db,
            "SELECT d.rowid, c.old_type FROM device_type_changes c"
            " JOIN devices d ON d.id = c.device_id"
            " WHERE d.tenant_id = ?1 AND c.changed_at >= ?2"
            " ORDER BY c.changed_at DESC, c.rowid DESC",
            tid,
            [&](const SqliteStatement& s) {
                if (const auto it = by_rowid.find(s.int64(0)); it != by_rowid.end()) {
                    devices[it->second].facts.device_type = s.text(1);
                }
            },
            to);
        !r) {
        return r.error();
    }
    return {};
}

//! The tenant's group memberships, subscriptions, device assignments and user aliases.
Result<void> read_groups(SqliteDb& db, std::int64_t tid, BillingFacts& f) {
    if (auto r =
            query(db,
                  "SELECT m.user_key, g.name, m.since, m.until FROM group_members m"
                  " JOIN user_groups g ON g.id = m.group_id WHERE m.tenant_id = ?"
                  " ORDER BY m.since, m.id",
                  tid,
                  [&](const SqliteStatement& s) {
                      f.memberships.push_back({s.text(0), s.text(1), s.int64(2), opt_int(s, 3)});
                  });
        !r) {
        return r.error();
    }
    if (auto r = query(db,
                       "SELECT g.name, s.package, s.attached_at FROM subscriptions s"
                       " JOIN user_groups g ON g.id = s.group_id WHERE g.tenant_id = ?"
                       " ORDER BY s.attached_at, s.id",
                       tid,
                       [&](const SqliteStatement& s) {
                           f.subscriptions.push_back({s.text(0), s.text(1), s.int64(2)});
                       });
        !r) {
        return r.error();
    }
    if (auto r = query(db,
                       "SELECT a.device_id, a.user_key, a.since FROM device_assignments a"
                       " JOIN devices d ON d.id = a.device_id WHERE d.tenant_id = ?"
                       " ORDER BY a.since, a.id",
                       tid,
                       [&](const SqliteStatement& s) {
                           AssignmentFact a;
                           a.device_id = s.text(0);
                           if (!s.is_null(1)) {
                               a.user_key = s.text(1);
                           }
                           a.since = s.int64(2);
                           f.assignments.push_back(std::move(a));
                       });
        !r) {
        return r.error();
    }
    if (auto r = query(db, "SELECT alias_key, user_key FROM user_aliases WHERE tenant_id = ?", tid,
                       [&](const SqliteStatement& s) {
                           f.aliases.push_back({s.text(0), s.text(1)});
                       });
        !r) {
        return r.error();
    }
    return {};
}

//! The devices and groups of `f` (read_devices, read_groups; with `whole`, the devices whole
//! there too), the devices' order by id and, with `key`, the month's rollups by device id.
//! With `second` (the same snapshot), both at once: the rollups on `second` on a thread of
//! their own (a few large buffers: nothing left in that thread's malloc arena that the engine
//! could not reuse), the devices here.
Result<ScannedRollups> read_devices_and_rollups(
    SqliteDb& db, SqliteDb* second, std::int64_t tid, std::int64_t to,
    const std::optional<MonthKey>& key, std::unordered_map<std::int64_t, std::uint32_t>& by_rowid,
    DeviceOrder& by_id, BillingFacts& f, std::vector<Device>* whole) {
    const auto read_rest = [&]() -> Result<void> {
        if (whole == nullptr) {  // only what billing and the rows read
            if (auto r = read_devices(db, tid, to, by_rowid, by_id, f.devices); !r) {
                return r;
            }
        } else {
            if (auto r = read_devices(db, tid, to, by_rowid, by_id, *whole); !r) {
                return r;
            }
            f.devices.assign(whole->begin(), whole->end());
        }
        return read_groups(db, tid, f);
    };
    if (!key || second == nullptr) {
        if (auto r = read_rest(); !r) {
            return r.error();
        }
        return key ? scan_month_rollups_by_id(db, *key) : ScannedRollups{};
    }
    std::optional<Result<ScannedRollups>> scanned;
    std::thread scanner([&] { scanned = scan_month_rollups_by_id(*second, *key); });
    auto rest = read_rest();
    scanner.join();
    if (!rest) {
        return rest.error();
    }
    return std::move(*scanned);
}

}  // namespace

Result<BillingFacts> read_billing_facts(SqliteDb& db, std::string_view tenant, std::int64_t from,
                                        std::int64_t to, Signals signals, SqliteDb* second,
                                        const MonthWindow* month, std::vector<Device>* whole) {
    auto settings = read_tenant_settings(db, tenant);
    if (!settings) {
        return settings.error();
    }
    auto tid = tenant_id(db, tenant);
    if (!tid) {
        return tid.error();
    }
    auto clock = tenant_clock(db, *tid);  // the zone and grace the buckets were cut with
    if (!clock) {
        return clock.error();
    }
    BillingFacts f;
    f.tenant = std::move(*settings);
    std::unordered_map<std::int64_t, std::uint32_t> by_rowid;  // device rowid → position
    std::optional<MonthKey> key;  // the month read as whole-month facts (plan_month)
    if (month != nullptr && month_uncut(f.tenant, *month)) {
        key = month_key(*clock, *tid, *month);
    }
    // The merges before the heartbeats: month facts skip them.
    DeviceOrder by_id;
    auto scanned = read_devices_and_rollups(db, second, *tid, to, key, by_rowid, by_id, f, whole);
    if (!scanned) {
        return scanned.error();
    }
    if (auto r = read_heartbeats(db, second, *clock, *tid, from, to, by_rowid, month, by_id,
                                 *scanned, f);
        !r) {
        return r.error();
    }
    if (signals == Signals::kWhenAssigned && f.assignments.empty()) {
        return f;
    }
    if (auto r = query(db,
                       "SELECT principal, local, CASE WHEN local THEN device_id ELSE '' END,"
                       " min(first_signal), max(last_signal) FROM rollup_user_month"
                       " WHERE tenant_id = ? AND last_signal IS NOT NULL GROUP BY 1, 2, 3",
                       *tid,
                       [&](const SqliteStatement& s) {
                           f.signals.push_back(
                               {s.text(0), s.int64(1) != 0, s.text(2), s.int64(3), s.int64(4)});
                       });
        !r) {
        return r.error();
    }
    return f;
}

Result<std::unordered_map<std::string, DeviceEvidence>> read_tenant_evidence(
    SqliteDb& db, std::string_view tenant, const std::vector<BillingDevice>& devices) {
    std::unordered_map<std::string, DeviceEvidence> out;
    out.reserve(devices.size());
    for (const auto& d : devices) {
        out.try_emplace(d.id);
    }
    const auto of = [&](const SqliteStatement& s) -> DeviceEvidence& { return out[s.text(0)]; };
    const std::string joins =
        " JOIN devices d ON d.id = x.device_id JOIN tenants t ON t.id = d.tenant_id"
        " WHERE t.name = ?1";

    // Gap ranges may overlap (re-declared after a spool repair): count the union per device.
    // Those with reason server_lost (the server lost what it had acknowledged) also apart.
    std::string gap_device;
    std::int64_t covered_to = 0;
    std::int64_t lost_covered_to = 0;
    if (auto r = query(db,
                       "SELECT x.device_id, x.from_seq, x.to_seq, x.reason = 'server_lost'"
                       " FROM gaps x" +
                           joins + " ORDER BY x.device_id, x.from_seq, x.to_seq",
                       tenant,
                       [&](const SqliteStatement& s) {
                           auto& e = of(s);
                           if (s.text(0) != gap_device) {
                               gap_device = s.text(0);
                               covered_to = lost_covered_to = 0;
                           }
                           const auto to = s.int64(2);
                           const auto from = std::max(s.int64(1), covered_to + 1);
                           if (to >= from) {
                               e.gap_seqs += static_cast<std::uint64_t>(to - from + 1);
                               covered_to = to;
                           }
                           const auto lost_from = std::max(s.int64(1), lost_covered_to + 1);
                           if (s.int64(3) != 0 && to >= lost_from) {
                               e.lost_by_server += static_cast<std::uint64_t>(to - lost_from + 1);
                               lost_covered_to = to;
                           }
                       });
        !r) {
        return r.error();
    }
    const std::pair<std::string, std::uint64_t DeviceEvidence::*> counts[] = {
        {"SELECT x.device_id, count(DISTINCT x.seq) FROM forks x", &DeviceEvidence::forks},
        {"SELECT x.device_id, count(*) FROM chain_breaks x", &DeviceEvidence::chain_breaks},
        {"SELECT x.device_id, count(*) FROM held_heartbeats x", &DeviceEvidence::held},
    };
    for (const auto& count : counts) {
        const auto field = count.second;  // a plain variable: lambdas may not capture bindings
        if (auto r = query(db, count.first + joins + " GROUP BY x.device_id", tenant,
                           [&](const SqliteStatement& s) {
                               of(s).*field = static_cast<std::uint64_t>(s.int64(1));
                           });
            !r) {
            return r.error();
        }
    }
    if (auto r = query(db,
                       "SELECT d.id FROM devices d JOIN tenants t ON t.id = d.tenant_id"
                       " WHERE t.name = ?1 AND d.retired_at IS NOT NULL"
                       " AND d.retire_reason = 'revoked'",
                       tenant, [&](const SqliteStatement& s) { of(s).revoked = true; });
        !r) {
        return r.error();
    }
    if (auto r = query(db,
                       "SELECT x.device_id FROM device_enrollments x" + joins +
                           " AND x.method = 'import_tofu'",
                       tenant, [&](const SqliteStatement& s) { of(s).trust_on_first_use = true; });
        !r) {
        return r.error();
    }
    return out;
}

}  // namespace tally::server::detail
