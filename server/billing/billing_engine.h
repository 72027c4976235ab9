#pragma once
// The billing engine: DESIGN.md §5 rules 1-4 and 6 applied to one tenant's facts over one
// window of heartbeat starts. Pure: the caller chooses the window (the month, or its billed
// part), the instant the month is judged at (`as_of`: pairing, group membership and release)
// and, for a closed month, the receipt cut-off that keeps late heartbeats out.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/billing/outcome_texts.h"
#include "server/billing/time_zone.h"
#include "server/store/billing_records.h"

namespace tally::server::billing {

//! kStandalone: active, and no user active on it this month; kOverflow: active, and every
//! user active on it has used up their allowance; kRetired: retired before any counted
//! activity this month (activity before the retirement instant still counts, rule 4).
enum class BilledAs : std::uint8_t { kUserCovered, kStandalone, kOverflow, kRetired, kNotActive };
std::string_view to_string(BilledAs billed);

//! Which license covers a user-covered device (rule 2).
enum class Coverage : std::uint8_t { kNone, kPrimaryUser, kOtherUser };

//! [from, to): a span of heartbeat starts.
struct TimeSpan {
    std::int64_t from = 0;
    std::int64_t to = 0;
    bool contains(std::int64_t t) const { return t >= from && t < to; }
};

struct Period {
    std::int64_t from = 0;  //!< heartbeat starts in [from, to) count
    std::int64_t to = 0;
    std::int64_t month_end = 0;  //!< devices retired before it are "retired" for the month
    std::int64_t as_of = 0;      //!< min(month end, now)
    std::optional<std::int64_t> received_before;  //!< closed month: the close instant
    //! Heartbeat starts never billed (the tenant's inactive spans, rule 5), wherever they fall.
    std::vector<TimeSpan> not_billed;
};

struct DeviceBilling {
    std::string device_id;
    bool active = false;
    std::int64_t active_minutes = 0;
    std::int64_t active_days = 0;
    std::int64_t heartbeats = 0;
    std::optional<std::int64_t> last_seen;  //!< end of its last counted heartbeat in the window
    std::vector<std::string> users;         //!< principals with active minutes on it
    std::string paired_user;                //!< display principal; "" when none
    std::string paired_user_key;
    std::string paired_by;  //!< "admin" | "activity" | "" (none)
    BilledAs billed_as = BilledAs::kNotActive;
    std::string package;  //!< the package its unit is billed in ("" when no unit)
    Coverage coverage = Coverage::kNone;
    std::string covered_by;            //!< display principal of the covering user; "" when none
    std::string covered_by_key;        //!< its user key
    bool primary_user_active = false;  //!< the paired user is an active user this month
    std::optional<std::int64_t> retired_at;
    std::int64_t not_billed_heartbeats = 0;  //!< in the window but in Period::not_billed
};

struct UserBilling {
    std::string key;
    std::string principal;
    bool local = false;
    std::string device_id;  //!< the device of a local account
    std::string group;      //!< "" when in no group
    std::string package;
    std::int64_t active_minutes = 0;
    std::int64_t active_days = 0;
    std::int64_t first_seen = 0;
    std::int64_t last_seen = 0;
    std::vector<std::string> devices;         //!< devices with its active minutes
    std::vector<std::string> devices_paired;  //!< active devices paired with it
};

struct PackageUnits {
    std::string package;
    std::int64_t active_users = 0;
    std::int64_t standalone_devices = 0;  //!< including overflow
    std::int64_t billable_units = 0;
};

struct BillingOutcome {
    std::vector<DeviceBilling> devices;  //!< every device in facts, facts order
    std::vector<UserBilling> users;      //!< active users, by principal
    std::vector<PackageUnits> packages;  //!< by package name
    std::int64_t active_devices = 0;
    std::int64_t active_users = 0;
    std::int64_t standalone_devices = 0;  //!< no paired active user, or over the allowance
    std::int64_t overflow_devices = 0;    //!< the part of standalone_devices over allowance
    std::int64_t billable_units = 0;      //!< active users + standalone devices
};

BillingOutcome evaluate(const BillingFacts& facts, const TimeZone& tz, const Period& period);

//! A position that names nothing (UserVerdict::device of a directory user).
inline constexpr std::uint32_t kNoPosition = 0xffffffffU;
//! DeviceVerdict::last_seen of a device without a counted heartbeat in the window.
inline constexpr std::int64_t kNeverSeen = std::numeric_limits<std::int64_t>::min();

//! DeviceBilling without a string of its own (a large tenant has 100,000 devices): its texts
//! are ids in CompactOutcome::texts, its users a range of CompactOutcome::device_users; the
//! device id and retirement are the device's (BillingFacts::devices). 80 bytes (was 96 with an
//! optional last_seen and int-sized enums).
struct DeviceVerdict {
    std::int64_t active_minutes = 0;
    std::int64_t active_days = 0;
    std::int64_t heartbeats = 0;
    std::int64_t not_billed_heartbeats = 0;
    std::int64_t last_seen = kNeverSeen;  //!< DeviceBilling::last_seen; kNeverSeen: unset
    std::uint32_t first_user = 0;         //!< device_users[first_user, + user_count): sorted names
    std::uint32_t user_count = 0;
    std::uint32_t paired_user = 0;
    std::uint32_t paired_user_key = 0;
    std::uint32_t paired_by = 0;
    std::uint32_t package = 0;
    std::uint32_t covered_by = 0;
    std::uint32_t covered_by_key = 0;
    BilledAs billed_as = BilledAs::kNotActive;
    Coverage coverage = Coverage::kNone;
    bool active = false;
    bool primary_user_active = false;
};

//! UserBilling without a string of its own (a large tenant has 180,000 active users): its
//! texts are ids in CompactOutcome::texts, its devices positions in facts.devices kept in
//! CompactOutcome::user_devices (each range sorted by device id).
struct UserVerdict {
    std::int64_t active_minutes = 0;
    std::int64_t active_days = 0;
    std::int64_t first_seen = 0;
    std::int64_t last_seen = 0;
    std::uint32_t key = 0;
    std::uint32_t principal = 0;
    std::uint32_t group = 0;
    std::uint32_t package = 0;
    std::uint32_t device = kNoPosition;  //!< a local account's device; else kNoPosition
    std::uint32_t first_device = 0;      //!< user_devices[first_device, + device_count)
    std::uint32_t device_count = 0;
    std::uint32_t first_paired = 0;  //!< user_devices[first_paired, + paired_count)
    std::uint32_t paired_count = 0;
    bool local = false;
};

//! evaluate's answer with compact devices (what the usage report keeps while it writes its
//! rows): device(i, facts.devices[i]) is evaluate's devices[i].
struct CompactOutcome {
    std::vector<DeviceVerdict> devices;  //!< every device in facts, facts order
    OutcomeTexts texts;
    std::vector<std::uint32_t> device_users;  //!< text ids (DeviceVerdict::first_user)
    std::vector<UserVerdict> users;           //!< active users, by principal
    std::vector<std::uint32_t> user_devices;  //!< device positions (UserVerdict ranges)
    std::vector<PackageUnits> packages;       //!< by package name
    std::int64_t active_devices = 0;
    std::int64_t active_users = 0;
    std::int64_t standalone_devices = 0;
    std::int64_t overflow_devices = 0;
    std::int64_t billable_units = 0;

    //! The DeviceBilling of devices[i]; `device` is facts.devices[i] (its id and retirement).
    DeviceBilling device(std::size_t i, const BillingDevice& device) const;
    //! device(i, device) into `out`, reusing its storage (a writer visiting every device).
    void device_into(std::size_t i, const BillingDevice& device, DeviceBilling& out) const;
    //! The UserBilling of users[i]; `devices` is facts.devices (their ids).
    UserBilling user(std::size_t i, const std::vector<BillingDevice>& devices) const;
    //! user(i, devices) into `out`, reusing its storage (a writer visiting every user).
    void user_into(std::size_t i, const std::vector<BillingDevice>& devices,
                   UserBilling& out) const;
};

//! Called by the compact evaluations where a phase has freed its transient memory: halfway
//! through and after the users' verdicts (their sums freed as they go), before the devices are
//! covered (the devices' principals and display names freed) and before the totals (the
//! tallies and the devices' sums freed).
//! The usage report gives the allocator's free pages back there (issue 20: glibc keeps ~20 MB
//! of those frees resident at 100,000 devices, beside the device verdicts made next).
using PhaseEnd = void (*)();

//! evaluate, its devices compact; `phase_end` (when set) is called at each PhaseEnd point.
CompactOutcome evaluate_compact(const BillingFacts& facts, const TimeZone& tz, const Period& period,
                                PhaseEnd phase_end = nullptr);
//! The same, freeing facts.heartbeats and facts.heartbeat_users as soon as they are added up
//! (before the per-device answers are made: the report's peak), for a caller that reads them
//! no more.
CompactOutcome evaluate_compact_releasing(BillingFacts& facts, const TimeZone& tz,
                                          const Period& period, PhaseEnd phase_end = nullptr);

//! The canonical key of a raw key after merges (follows chains, stops on cycles).
std::string resolve_alias(const std::vector<AliasFact>& aliases, const std::string& key);

}  // namespace tally::server::billing
