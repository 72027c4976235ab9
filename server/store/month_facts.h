#pragma once
// Whole-month billing facts (both stores): when no tenant-wide billing cut falls inside a
// report's month for a device, its month rollups (rollup_device_month, rollup_user_month and
// the device's latest end from rollup_device_day) stand in for its hourly buckets as ONE
// HeartbeatFact with day masks; the billing engine's answer is the same
// (server/billing/README.md, "Whole-month facts"). When the primary user's trailing window
// [as_of - 30 days, as_of) starts or ends inside the month, only the part of the month outside
// it is read hour by hour and the rest of the month is one fact: the month rollups minus those
// hours. The stores read the rows; what may be coarse and the facts are decided here.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "server/billing/time_zone.h"
#include "server/store/billing_records.h"

namespace tally::server {

struct MonthUserRollup {
    std::string principal;
    bool local = false;
    std::int64_t active_minutes = 0;
    std::uint32_t day_mask = 0;  //!< bit d-1: local day d of the month
    std::int64_t first_active = 0;
    std::int64_t last_active = 0;
};

//! One device's rollups of the month.
struct MonthDeviceRollup {
    std::int64_t heartbeats = 0;
    std::int64_t active_minutes = 0;
    std::uint32_t day_mask = 0;
    std::optional<std::int64_t> first_active;
    std::int64_t last_end = 0;  //!< latest end of any heartbeat of the month (device days)
    std::int64_t late_heartbeats = 0;
    std::vector<MonthUserRollup> users;  //!< only users with active minutes
};

//! Whether no tenant-wide cut falls strictly inside the month: the trial end, an inactivation
//! or inactive-span edge. False when `w.coarse` is false. (The edges of the primary user's
//! trailing window do not count: see untrailed_parts.)
bool month_uncut(const TenantSettings& tenant, const MonthWindow& w);

//! A part [from, to) of the month.
struct TimeRange {
    std::int64_t from = 0;
    std::int64_t to = 0;
};

//! The parts of the month outside the primary user's trailing window [as_of - 30 days, as_of)
//! when that window covers some of the month but not all of it (at most two, in order): the
//! parts read hour by hour. Empty: one fact stands for the whole month.
std::vector<TimeRange> untrailed_parts(const MonthWindow& w);

//! Local days [first, last] wholly inside a range, `start` the first one's first instant.
struct DayRun {
    std::int64_t first = 0;
    std::int64_t last = 0;
    std::int64_t start = 0;
};

//! A range as read: its whole local days from the user-day rollups (rollup_user_day), the
//! partial days at its edges hour by hour.
struct RangeRead {
    std::vector<TimeRange> hourly;
    std::optional<DayRun> days;
};

//! `r` in the tenant's days (all of it hour by hour when it holds no whole day, or when a day's
//! start is not one instant: a change of offset at midnight).
RangeRead split_days(const billing::TimeZone& tz, TimeRange r);

//! One user's active minutes over some whole days of a device (rollup_user_day).
struct UserMinutes {
    std::string principal;
    bool local = false;
    std::int64_t minutes = 0;
};

//! Appends a fact standing for the whole days `run` of device `device_pos`: no heartbeat nor
//! device minute (those stay with the month's fact), only each user's minutes (the trailing
//! window's tally). Inside the month (`m` set, its users holding every one of `days`), each user
//! carries the month's day mask and first and last times, which its month fact may drop.
void append_days_fact(const DayRun& run, const std::vector<UserMinutes>& days,
                      const MonthDeviceRollup* m, std::uint32_t device_pos, std::int32_t first_day,
                      const std::function<std::uint32_t(const std::string&)>& intern,
                      std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users);

//! Where the rest of a split month (append_month_rest) starts: the first instant of the month
//! inside the trailing window.
std::int64_t trailed_start(const MonthWindow& w);

//! Every user key a merge names (merged away or into). The engine's display name and local flag
//! of a merged user depend on the order it meets the facts, so a device with such a user is
//! read hour by hour, as before.
class MergedKeys {
  public:
    explicit MergedKeys(const std::vector<AliasFact>& aliases);
    bool names_any(const MonthDeviceRollup& m, std::string_view device_id) const;

  private:
    std::unordered_set<std::string> keys_;
};

//! Whether `device`'s month (rollup `m`) can be one fact: not retired inside the month, and,
//! for a closed month, nothing received after the close; no user of it merged.
bool device_uncut(const BillingDevice& device, const MonthDeviceRollup& m, const MonthWindow& w,
                  const MergedKeys& merged);

//! Appends the month fact of device `device_pos` (`first_day`: the local day of the month's day
//! 1) and its users, interning principals with `intern`.
void append_month_fact(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                       const MonthWindow& w,
                       const std::function<std::uint32_t(const std::string&)>& intern,
                       std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users);

//! Appends the rest of device `device_pos`'s month: `m` minus the hourly facts
//! facts[cut_first, end) (its untrailed_parts, already appended) as one fact starting at
//! trailed_start(w): heartbeats, minutes and each user's minutes subtracted (users left with
//! none dropped); day masks, first and last times those of the month (a union, a min and a max
//! over the month's facts: the hourly facts hold a part of the same days and times).
void append_month_rest(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                       const MonthWindow& w, std::size_t cut_first,
                       const std::function<std::uint32_t(const std::string&)>& intern,
                       std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users);

}  // namespace tally::server
