#pragma once
// Plain records of the billing data model (DESIGN.md §5) that the Store hands in and out:
// tenant settings, groups, subscriptions, admin assignments, merges, and the per-heartbeat
// facts the billing engine evaluates. No SQL here.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/store/optional_time.h"
#include "server/store/records.h"
#include "server/store/text_table.h"

namespace tally::server {

//! A closed span of inactivity [since, until): never billed, whenever its heartbeats arrive.
struct InactiveSpan {
    std::int64_t since = 0;
    std::int64_t until = 0;
};

struct TenantSettings {
    std::string name;
    std::string status = "active";               //!< stored status: "active" | "inactive"
    std::optional<std::int64_t> trial_end;       //!< in_trial while now < trial_end
    std::optional<std::int64_t> inactive_since;  //!< set when status became inactive
    std::string time_zone = "UTC";               //!< IANA name
    std::string count_devices_by = "activity";   //!< activity | signal
    std::string default_package = "Core";
    std::int64_t grace_hours = 72;
    std::int64_t created_at = 0;
    std::vector<InactiveSpan> inactive_spans;  //!< past ones, by since (the current: above)
};

struct GroupInfo {
    std::string name;
    std::optional<std::string> package;  //!< newest subscription, if any
    std::vector<std::string> members;    //!< current user keys
};

struct SubscriptionInfo {
    std::string group;
    std::string package;
    std::int64_t attached_at = 0;
};

//! One user of a heartbeat. The principal is interned: BillingFacts::principals[principal].
struct HeartbeatUserFact {
    std::uint32_t principal = 0;
    //! Of a whole-month fact (HeartbeatFact::day_mask set): bit i = the user had active minutes
    //! on local day HeartbeatFact::first_day + i. 0: the local day of the heartbeat's start.
    std::uint32_t day_mask = 0;
    std::int64_t active_minutes = 0;
    //! Of a rollup bucket: the earliest start and latest end of the heartbeats in which this
    //! user had active minutes (unset: the heartbeat's own start and end).
    OptionalTime first_start;
    OptionalTime last_end;
    bool local = false;
};  // 40 B: a month's report at 100,000 devices holds ~200,000

//! One counted heartbeat with what billing needs (no bytes). Compact, without a pointer of its
//! own (a month of a large tenant holds millions): its device is a position in
//! BillingFacts::devices, its users a range of BillingFacts::heartbeat_users.
struct HeartbeatFact {
    std::uint32_t device = 0;      //!< BillingFacts::devices[device]
    std::uint32_t first_user = 0;  //!< users: heartbeat_users[first_user, + user_count)
    std::uint32_t user_count = 0;
    //! A whole-month fact (month rollups, see MonthWindow): bit i = the device had active
    //! minutes on local day first_day + i (days since 1970-01-01 in the tenant's zone). 0: the
    //! local day of `start` when device_active_minutes > 0.
    std::uint32_t day_mask = 0;
    std::uint64_t seq = 0;
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::int64_t received_at = 0;
    std::int64_t device_active_minutes = 0;
    //! How many heartbeats it stands for: 1 for one heartbeat; a rollup bucket (the store's
    //! rollup_bucket rows: one device, UTC hour, local day, late flag and cut segment) adds
    //! up all of its heartbeats, `start` its earliest start, `end` its latest end.
    std::uint32_t heartbeats = 1;
    std::int32_t first_day = 0;  //!< with day_mask: the local day of bit 0
};

struct MembershipFact {
    std::string user_key;
    std::string group;
    std::int64_t since = 0;
    std::optional<std::int64_t> until;
};

struct AssignmentFact {
    std::string device_id;
    std::optional<std::string> user_key;  //!< nullopt: assignment cleared
    std::int64_t since = 0;
};

struct AliasFact {
    std::string alias_key;  //!< merged away
    std::string user_key;   //!< merged into
};

//! Last signal of one raw user (any heartbeat naming it), for release and purge.
struct UserSignal {
    std::string principal;
    bool local = false;
    std::string device_id;  //!< the device of a local account; "" for directory users
    std::int64_t first_seen = 0;
    std::int64_t last_signal = 0;
};

//! The text of a device that billing and a usage report's rows read (of Device::facts).
struct BillingDeviceFacts {
    std::string hostname;
    std::string device_type;
    std::string role;
};

//! A device as the billing engine and a usage report's rows read it (issue 20: at 100,000
//! devices the whole Device, 384 B, was 38 MB of the open month's peak; this is 184 B). A
//! closed month's snapshot keeps whole devices: ReportFacts::whole_devices.
struct BillingDevice {
    std::string id;
    BillingDeviceFacts facts;
    std::int64_t paired_at = 0;
    std::optional<std::int64_t> retired_at;
    std::uint64_t last_seq = 0;
    std::optional<std::int64_t> last_seen;
    bool suspected_clone = false;

    BillingDevice() = default;
    //! The fields of `d` billing reads (implicit: a Device stands for its BillingDevice).
    BillingDevice(const Device& d)  // NOLINT(google-explicit-constructor)
        : id(d.id),
          facts{d.facts.hostname, d.facts.device_type, d.facts.role},
          paired_at(d.paired_at),
          retired_at(d.retired_at),
          last_seq(d.last_seq),
          last_seen(d.last_seen),
          suspected_clone(d.suspected_clone) {}
    //! `out` with these fields, the others (tenant, public key, OS, acked_through…) empty or 0;
    //! its strings keep their storage (a writer visiting every device).
    void into(Device& out) const {
        out.id = id;
        out.tenant.clear();
        out.public_key.clear();
        out.facts.hostname = facts.hostname;
        out.facts.os.clear();
        out.facts.os_version.clear();
        out.facts.agent_version.clear();
        out.facts.device_type = facts.device_type;
        out.facts.role = facts.role;
        out.facts.fingerprint.clear();
        out.paired_at = paired_at;
        out.retired_at = retired_at;
        out.suspected_clone = suspected_clone;
        out.acked_through = 0;
        out.last_seq = last_seq;
        out.last_seen = last_seen;
    }
};

//! Everything the billing engine reads for one tenant and one window of heartbeat starts.
struct BillingFacts {
    TenantSettings tenant;
    std::vector<BillingDevice> devices;
    std::vector<HeartbeatFact> heartbeats;           //!< start in the requested window, by start
    std::vector<HeartbeatUserFact> heartbeat_users;  //!< of the heartbeats (see users())
    TextTable principals;                            //!< interned principals of those users
    std::vector<MembershipFact> memberships;
    std::vector<SubscriptionInfo> subscriptions;
    std::vector<AssignmentFact> assignments;
    std::vector<AliasFact> aliases;
    std::vector<UserSignal> signals;  //!< every user ever seen on the tenant's devices

    const std::string& device_id(const HeartbeatFact& h) const { return devices[h.device].id; }
    std::span<const HeartbeatUserFact> users(const HeartbeatFact& h) const {
        return {heartbeat_users.data() + h.first_user, h.user_count};
    }
    std::string_view principal(const HeartbeatUserFact& u) const { return principals[u.principal]; }
};

//! The month a usage report bills, as the store's month-aware read (report_facts_for_month)
//! takes it. With `coarse`, a device none of whose month a billing cut splits is read as ONE
//! HeartbeatFact from the month rollups (minutes, heartbeats, first/last, day masks) instead of
//! its hourly buckets; the billing engine's answer is the same (server/billing/README.md).
struct MonthWindow {
    std::int64_t read_from = 0;  //!< facts from here (the trailing window may start earlier)
    std::int64_t from = 0;       //!< the month: heartbeat starts in [from, to)
    std::int64_t to = 0;
    std::int64_t as_of = 0;                       //!< billing::Period::as_of
    std::optional<std::int64_t> received_before;  //!< closed month: the close instant
    bool coarse = true;                           //!< false: hourly buckets only
    //! Only what the report's rows write (kReportDeviceColumns; facts.devices). False: also the
    //! whole devices (ReportFacts::whole_devices), as a closed month's snapshot keeps them.
    bool written_devices_only = false;
};

//! What a usage report reads, from one snapshot (one read transaction): the billing facts and
//! the delivery evidence of every device of the tenant (by device id). facts.signals is read
//! only when the tenant has admin assignments: the billing engine reads last signals only to
//! release an assigned user, and reading them scans every heartbeat user ever stored.
struct ReportFacts {
    BillingFacts facts;
    //! The devices whole, parallel to facts.devices (same snapshot, the type as the month
    //! ended); empty with MonthWindow::written_devices_only.
    std::vector<Device> whole_devices;
    std::unordered_map<std::string, DeviceEvidence> evidence;
};

//! One purged user, as the purge run saw it: every name it was known by (its user keys, alias
//! keys and raw principals) and the surrogate that replaced them. Held in memory only, for
//! the rest of the same purge run (the closed-month snapshots, snapshot_redaction.h); never
//! stored, never logged.
struct PurgedUser {
    std::string tenant;
    std::string surrogate;
    std::vector<std::string> names;
};

struct PurgeResult {
    std::int64_t users_purged = 0;
    std::int64_t heartbeat_rows_redacted = 0;
    std::vector<PurgedUser> purged;       //!< the users purged by this run
    std::int64_t snapshots_redacted = 0;  //!< closed-month snapshots rewritten (PurgeRun)
};

}  // namespace tally::server
