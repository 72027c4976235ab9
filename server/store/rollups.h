#pragma once
// Internal to the SQLite store: usage rolled up at ingest (DESIGN.md §5 "Storage at scale").
// Each counted heartbeat adds to one per-(tenant, month, device) row, one row per
// (tenant, month, device, user) it names, one per-(device, local day) row and one
// per-(device, local day, user) row for each user with active minutes, in the same
// savepoint that dedupes and stores it. Months and days are the tenant's (its time zone, as
// billing::TimeZone cuts them); a heartbeat received at or after its month's close
// (month end + grace_hours) also adds to the late-adjustment columns. Active days are a bit
// per day of the month (OR-ed), so the rows are exact whatever order heartbeats arrive in.

#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/billing/time_zone.h"
#include "server/store/sqlite_db.h"

namespace tally::server::detail {

//! How a tenant cuts time: its zone (months, days) and its grace (late adjustments).
struct TenantClock {
    std::int64_t tenant_id = 0;
    std::string zone = "UTC";  //!< the IANA name as stored
    billing::TimeZone tz;
    std::int64_t grace_hours = 72;
    //! Instants billing cuts at, as known now: the trial end, the current inactivation and the
    //! edges of past inactive spans. A bucket never holds heartbeats on both sides of one.
    std::vector<std::int64_t> cuts;
    //! Retired devices' retirement instants, a cut of their own heartbeats only. Read by
    //! tenant_clock (rebuilds, verify-evidence), not by TenantClocks (ingest: a retired device
    //! uploads nothing).
    std::map<std::string, std::int64_t, std::less<>> retired;

    //! The cut segment of a heartbeat of `device_id` starting at `start`: the latest cut inside
    //! its UTC hour at or before `start`, else 0.
    std::int64_t segment(std::string_view device_id, std::int64_t start) const;
    //! The tenant's month of instant `t` as YYYYMM, and its local day of the month (1-31).
    std::pair<std::int64_t, unsigned> month_day(std::int64_t t) const;
    //! The close instant of month YYYYMM: its local end plus grace_hours.
    std::int64_t close_of(std::int64_t month) const;
};

//! Error not_found for an unknown tenant id.
Result<TenantClock> tenant_clock(SqliteDb& db, std::int64_t tenant_id);

//! The clock of a tenant by name, its row read again on every call (another process, a CLI
//! command, may have changed the zone or grace and rebuilt the rollups in between), each
//! zone's TZif file parsed once. Call inside the transaction that uses the clock.
class TenantClocks {
  public:
    //! Error not_found for an unknown tenant.
    Result<const TenantClock*> get(SqliteDb& db, std::string_view tenant);

  private:
    std::map<std::string, TenantClock, std::less<>> by_tenant_;
};

//! One counted heartbeat as the rollups see it.
struct RollupUser {
    std::string principal;
    bool local = false;
    std::int64_t active_minutes = 0;
};
struct RollupHeartbeat {
    std::string device_id;
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::int64_t received_at = 0;
    std::int64_t device_active_minutes = 0;
    std::vector<RollupUser> users;
};

struct DeviceMonthRow {
    std::int64_t heartbeats = 0;
    std::int64_t active_minutes = 0;
    std::int64_t day_mask = 0;                 //!< bit d-1: local day d had active minutes
    std::optional<std::int64_t> first_active;  //!< earliest start with active minutes
    std::optional<std::int64_t> last_active;   //!< latest end with active minutes
    std::int64_t late_heartbeats = 0;
    std::int64_t late_minutes = 0;
    bool operator==(const DeviceMonthRow&) const = default;
};
struct UserMonthRow {
    std::int64_t active_minutes = 0;
    std::int64_t day_mask = 0;
    std::optional<std::int64_t> first_active;
    std::optional<std::int64_t> last_active;
    std::int64_t late_minutes = 0;
    //! Any heartbeat naming the user, with or without minutes: its earliest start, latest end
    //! (the user's signal: release of an admin assignment).
    std::optional<std::int64_t> first_signal;
    std::optional<std::int64_t> last_signal;
    bool operator==(const UserMonthRow&) const = default;
};
struct DeviceDayRow {
    std::int64_t heartbeats = 0;
    std::int64_t active_minutes = 0;
    std::int64_t active_users = 0;  //!< users with active minutes on it that day
    std::int64_t last_end = 0;
    bool operator==(const DeviceDayRow&) const = default;
};

using DeviceMonthKey = std::pair<std::string, std::int64_t>;  //!< device, YYYYMM
struct UserMonthKey {
    std::string device_id;
    std::int64_t month = 0;
    std::string principal;
    bool local = false;
    auto operator<=>(const UserMonthKey&) const = default;
};
struct DeviceDayKey {
    std::string device_id;
    std::int64_t day = 0;  //!< local day number (days since 1970-01-01 in the tenant's zone)
    auto operator<=>(const DeviceDayKey&) const = default;
};

//! Billing's grain (billing_queries.h): one device's heartbeats of one UTC hour, one local
//! day, received before or after their month's close, on one side of every billing cut.
struct BucketKey {
    std::string device_id;
    std::int64_t hour = 0;  //!< start / 3600
    std::int64_t day = 0;   //!< local day number
    bool late = false;
    std::int64_t segment = 0;  //!< TenantClock::segment
    auto operator<=>(const BucketKey&) const = default;
};
struct BucketRow {
    std::int64_t heartbeats = 0;
    std::int64_t active_minutes = 0;
    std::int64_t first_start = 0;
    std::int64_t last_end = 0;
    bool operator==(const BucketRow&) const = default;
};
struct BucketUserKey {
    BucketKey bucket;
    std::string principal;
    bool local = false;
    auto operator<=>(const BucketUserKey&) const = default;
};
//! Only users with active minutes in the bucket have a row.
struct BucketUserRow {
    std::int64_t active_minutes = 0;
    std::int64_t first_start = 0;  //!< of the heartbeats with its active minutes
    std::int64_t last_end = 0;
    bool operator==(const BucketUserRow&) const = default;
};

//! One user's active minutes on one device and local day (only with active minutes): the
//! trailing window's minutes of whole days (month_facts.h).
struct UserDayKey {
    std::string device_id;
    std::int64_t day = 0;  //!< local day number
    std::string principal;
    bool local = false;
    auto operator<=>(const UserDayKey&) const = default;
};

//! Rollup rows of one tenant, in memory: what a batch adds, or what the evidence implies.
struct Rollups {
    std::map<DeviceMonthKey, DeviceMonthRow> device_months;
    std::map<UserMonthKey, UserMonthRow> user_months;
    std::map<DeviceDayKey, DeviceDayRow> device_days;  //!< active_users: filled by apply/finish
    std::map<BucketKey, BucketRow> buckets;
    std::map<BucketUserKey, BucketUserRow> bucket_users;
    std::map<UserDayKey, std::int64_t> user_days;  //!< active minutes

    void add(const TenantClock& clock, const RollupHeartbeat& hb);
    //! Sets device_days' active_users from the user months' day bits (for a complete set).
    void finish_active_users();
    bool empty() const { return device_months.empty(); }
};

//! Adds `delta` (made by Rollups::add) to the tenant's stored rows. Inside the caller's
//! transaction.
Result<void> apply_rollups(SqliteDb& db, std::int64_t tenant_id, const Rollups& delta);

//! Deletes and recomputes the rollups of a tenant from the evidence of its counted heartbeats
//! (migration, a change of time zone or grace, the purge's surrogates); months before the
//! evidence retention's horizon (evidence_horizon) keep their rows. Inside the caller's
//! transaction.
Result<void> rebuild_rollups(SqliteDb& db, std::int64_t tenant_id);
//! rebuild_rollups for every tenant (the migration to schema 10).
Result<void> rebuild_all_rollups(SqliteDb& db);

//! What the counted heartbeats of the tenant imply for month YYYYMM (`month` 0: every month),
//! decoded from the evidence batches (error bad_evidence when a body does not decode).
Result<Rollups> recompute_rollups(SqliteDb& db, const TenantClock& clock, std::int64_t month);
//! The stored rollups of the tenant for month YYYYMM (`month` 0: every month).
Result<Rollups> read_rollups(SqliteDb& db, std::int64_t tenant_id, std::int64_t month);
//! Human-readable differences between `expected` and `stored` (empty when equal), at most
//! `limit` lines.
std::vector<std::string> diff_rollups(const Rollups& expected, const Rollups& stored,
                                      std::size_t limit = 20);

}  // namespace tally::server::detail
