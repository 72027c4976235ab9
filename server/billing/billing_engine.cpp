// The billing engine (see billing_engine.h).

#include "server/billing/billing_engine.h"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "server/billing/user_key.h"
#include "server/billing/user_retention.h"
#include "server/domain/device_type.h"

namespace tally::server::billing {
namespace {

//! Distinct days: a sorted vector (a month has at most 31; no node per day).
class DaySet {
  public:
    void insert(std::int64_t day) {
        if (!days_.empty() && days_.back() == day) {
            return;  // heartbeats come by start: mostly the last day again
        }
        const auto it = std::lower_bound(days_.begin(), days_.end(), day);
        if (it == days_.end() || *it != day) {
            days_.insert(it, day);
        }
    }
    std::size_t size() const { return days_.size(); }
    void release() { std::vector<std::int64_t>().swap(days_); }

  private:
    std::vector<std::int64_t> days_;
};

//! The days of a whole-month fact: bit i of `mask` is local day first_day + i.
void insert_days(DaySet& days, std::int32_t first_day, std::uint32_t mask) {
    for (std::int64_t i = 0; mask != 0; ++i, mask >>= 1) {
        if ((mask & 1U) != 0) {
            days.insert(first_day + i);
        }
    }
}

struct UserAcc {
    std::string principal;
    bool local = false;
    std::string device_id;
    std::int64_t minutes = 0;
    DaySet days;
    std::int64_t first_seen = 0;
    std::int64_t last_seen = 0;
    std::vector<std::uint32_t> devices;  //!< positions in facts.devices, repeats allowed
};

struct DeviceAcc {
    std::int64_t minutes = 0;
    std::int64_t heartbeats = 0;
    std::int64_t not_billed = 0;
    DaySet days;
    std::optional<std::int64_t> last_seen;
    std::vector<std::uint32_t> users;  //!< interned principals, repeats allowed
    //! Active minutes of each user (interned key) on it in the window: who else can cover it.
    std::vector<std::pair<const std::string*, std::int64_t>> user_minutes;
};

//! Adds `minutes` to the tally of `key` (interned: compared by address).
void tally_minutes(std::vector<std::pair<const std::string*, std::int64_t>>& tally,
                   const std::string* key, std::int64_t minutes) {
    auto it =
        std::find_if(tally.begin(), tally.end(), [key](const auto& t) { return t.first == key; });
    if (it == tally.end()) {
        tally.emplace_back(key, minutes);
    } else {
        it->second += minutes;
    }
}

bool in_any(const std::vector<TimeSpan>& spans, std::int64_t t) {
    return std::any_of(spans.begin(), spans.end(),
                       [t](const TimeSpan& s) { return s.contains(t); });
}

//! Appends `x` unless it repeats the last element (sorted and deduplicated later).
void add(std::vector<std::uint32_t>& v, std::uint32_t x) {
    if (v.empty() || v.back() != x) {
        v.push_back(x);
    }
}

//! The distinct names of `ids`, sorted.
template <typename Name>
std::vector<std::string> sorted_names(std::vector<std::uint32_t>& ids, Name&& name) {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::vector<std::string> out;
    out.reserve(ids.size());
    for (const auto id : ids) {
        out.push_back(name(id));
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

bool counted(const HeartbeatFact& hb, const Period& p) {
    return !p.received_before || hb.received_at < *p.received_before;
}

//! Merges resolved through a hash index (resolve_alias is linear in the number of merges,
//! and the engine resolves every user of every heartbeat).
class Aliases {
  public:
    explicit Aliases(const std::vector<AliasFact>& aliases) : list_(aliases) {
        for (const auto& a : aliases) {
            direct_.emplace(a.alias_key, &a);  // the first row wins, as in find_if
        }
    }
    //! resolve_alias(aliases, key), without copying: `key` itself or a key in the merges.
    const std::string& resolve(const std::string& key) const {
        if (direct_.empty()) {
            return key;
        }
        const std::string* current = &key;
        for (std::size_t hops = 0; hops <= list_.size(); ++hops) {
            const auto it = direct_.find(*current);
            if (it == direct_.end()) {
                return *current;
            }
            current = &it->second->user_key;
        }
        return *current;
    }

  private:
    const std::vector<AliasFact>& list_;
    std::unordered_map<std::string_view, const AliasFact*> direct_;
};

//! Group memberships by canonical user key, for the group of a user at `as_of`.
class Memberships {
  public:
    Memberships(const BillingFacts& f, const Aliases& aliases) : f_(f) {
        for (const auto& m : f.memberships) {
            by_key_[aliases.resolve(m.user_key)].push_back(&m);
        }
    }
    //! The group of a user at `as_of` (newest membership covering it) and its package.
    std::pair<std::string, std::string> package_of(const std::string& key,
                                                   std::int64_t as_of) const {
        const MembershipFact* best = nullptr;
        if (const auto it = by_key_.find(key); it != by_key_.end()) {
            for (const auto* m : it->second) {  // facts order, as before
                if (m->since > as_of || (m->until && *m->until <= as_of)) {
                    continue;
                }
                if (!best || m->since >= best->since) {
                    best = m;
                }
            }
        }
        if (!best) {
            return {"", f_.tenant.default_package};
        }
        const SubscriptionInfo* sub = nullptr;
        for (const auto& s : f_.subscriptions) {
            // Newest attachment wins; rows come in attachment order, so >= keeps the later one.
            if (s.group == best->group && s.attached_at <= as_of &&
                (!sub || s.attached_at >= sub->attached_at)) {
                sub = &s;
            }
        }
        return {best->group, sub ? sub->package : f_.tenant.default_package};
    }

  private:
    const BillingFacts& f_;
    std::unordered_map<std::string, std::vector<const MembershipFact*>> by_key_;
};

//! Last signal per canonical user key (any heartbeat naming one of its raw keys).
std::unordered_map<std::string, std::int64_t> last_signals(const BillingFacts& f,
                                                           const Aliases& aliases) {
    std::unordered_map<std::string, std::int64_t> out;
    for (const auto& s : f.signals) {
        const auto key = aliases.resolve(user_key(s.principal, s.local, s.device_id));
        auto& v = out[key];
        v = std::max(v, s.last_signal);
    }
    return out;
}

//! The active users: one vector (the outcome's, sorted at the end) and an index by key into
//! it (no node per user: a large tenant has tens of thousands).
class UserTable {
  public:
    explicit UserTable(std::vector<UserBilling> list) : list_(std::move(list)) {
        index_.reserve(list_.size());
        for (std::size_t i = 0; i < list_.size(); ++i) {
            index_.emplace(list_[i].key, i);  // views of list_'s keys: list_ never grows
        }
    }
    const UserBilling* find(std::string_view key) const {
        const auto it = index_.find(key);
        return it == index_.end() ? nullptr : &list_[it->second];
    }
    bool contains(std::string_view key) const { return find(key) != nullptr; }
    UserBilling& at(std::string_view key) {
        const auto* user = find(key);
        if (user == nullptr) {
            throw std::out_of_range("billing: no active user " + std::string(key));
        }
        return list_[static_cast<std::size_t>(user - list_.data())];
    }
    std::vector<UserBilling>& list() { return list_; }
    //! The users, moved out (the table is empty afterwards).
    std::vector<UserBilling> take() {
        index_.clear();
        return std::exchange(list_, {});
    }

  private:
    std::vector<UserBilling> list_;
    std::unordered_map<std::string_view, std::size_t> index_;
};

//! Licenses used by one user: one business and up to two personal devices (rule 2).
struct Allowance {
    int business = 0;
    int personal = 0;
    bool take(bool is_personal) {
        int& used = is_personal ? personal : business;
        if (used >= (is_personal ? 2 : 1)) {
            return false;
        }
        ++used;
        return true;
    }
};

//! Rule 2: each active device is covered by its primary user's license when that user is
//! active and has allowance left, else by another user active on it this month with allowance
//! left (most active minutes on it first); a device no active user can cover is standalone
//! (kStandalone: no user active on it; kOverflow: every one of them is out of allowance).
//! Primary users claim first, their devices by most active minutes; then the others.
void cover_devices(const BillingFacts& f, const std::vector<DeviceAcc>& acc, UserTable& users,
                   CompactOutcome& out) {
    auto& devices = out.devices;
    auto& texts = out.texts;         // interning never moves a text: references stay valid
    std::vector<std::size_t> order;  // active devices, most active first
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (devices[i].active) {
            order.push_back(i);
        }
    }
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& da = devices[a];
        const auto& db = devices[b];
        return da.active_minutes != db.active_minutes ? da.active_minutes > db.active_minutes
                                                      : f.devices[a].id < f.devices[b].id;
    });
    std::unordered_map<std::string, Allowance> allowance;
    const auto cover = [&](std::size_t i, const std::string& key, Coverage how) {
        auto& d = devices[i];
        auto& user = users.at(key);
        d.billed_as = BilledAs::kUserCovered;
        d.coverage = how;
        d.covered_by_key = texts.intern(key);
        d.covered_by = texts.intern(user.principal);
        d.package = texts.intern(user.package);
        user.devices_paired.push_back(f.devices[i].id);
    };
    const auto personal = [&](std::size_t i) {
        return domain::parse_device_type(f.devices[i].facts.device_type) ==
               domain::DeviceType::personal;
    };
    for (const auto i : order) {  // primary users first
        const auto& paired = texts[devices[i].paired_user_key];
        if (devices[i].primary_user_active && allowance[paired].take(personal(i))) {
            cover(i, paired, Coverage::kPrimaryUser);
        }
    }
    for (const auto i : order) {  // then any other user active on it
        auto& d = devices[i];
        if (d.billed_as == BilledAs::kUserCovered) {
            continue;
        }
        auto candidates = acc[i].user_minutes;
        std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : *a.first < *b.first;
        });
        const auto& paired = texts[d.paired_user_key];
        // The user whose allowance ran out first: the primary user, else the most active.
        const std::string* over = d.primary_user_active ? &paired : nullptr;
        for (const auto& [key, minutes] : candidates) {
            if (minutes <= 0 || !users.contains(*key)) {
                continue;
            }
            if (allowance[*key].take(personal(i))) {
                cover(i, *key, *key == paired ? Coverage::kPrimaryUser : Coverage::kOtherUser);
                break;
            }
            over = over != nullptr ? over : key;
        }
        if (d.billed_as != BilledAs::kUserCovered && over != nullptr) {
            d.billed_as = BilledAs::kOverflow;  // a standalone unit in that user's package
            d.package = texts.intern(users.at(*over).package);
        }
    }
    for (auto& user : users.list()) {
        std::sort(user.devices_paired.begin(), user.devices_paired.end());
    }
}

//! Phase 1 of evaluate: every counted heartbeat added up per device and per user, and the
//! trailing-window minutes that choose primary users.
class Accumulator {
  public:
    Accumulator(const BillingFacts& f, const TimeZone& tz, const Period& p, const Aliases& aliases)
        : devices(f.devices.size()),
          trailing(f.devices.size()),
          f_(f),
          tz_(tz),
          p_(p),
          aliases_(aliases),
          directory_(f.principals.size()) {}

    void add_heartbeat(const HeartbeatFact& hb);

    // Per-device state lives in vectors in the order of f.devices (heartbeats name theirs by
    // position).
    std::vector<DeviceAcc> devices;
    std::unordered_map<std::string, UserAcc> users;
    //! (device, user key) → active minutes over the trailing window before as_of.
    std::vector<std::vector<std::pair<const std::string*, std::int64_t>>> trailing;
    std::unordered_map<std::string, std::string> display;  //!< user key → a principal for it

  private:
    //! A directory user's key depends on its principal only: resolved once per principal.
    struct DirectoryKey {
        const std::string* key = nullptr;
        bool canonical = false;  //!< its raw key is its key (not merged into another)
        UserAcc* acc = nullptr;
        bool offered = false;  //!< its principal was offered to acc.principal and display
    };

    //! The interned key of `u` on device `device_id`; `canonical`: raw key == key.
    const std::string& key_of(const HeartbeatUserFact& u, const std::string& device_id,
                              bool& canonical);
    void add_user(const HeartbeatFact& hb, const HeartbeatUserFact& u);

    const BillingFacts& f_;
    const TimeZone& tz_;
    const Period& p_;
    const Aliases& aliases_;
    //! Keys are interned (equal keys, one string), so per-device tallies compare pointers.
    std::unordered_set<std::string> keys_;
    std::vector<DirectoryKey> directory_;
    std::string raw_;  // a raw key (storage reused)
};

const std::string& Accumulator::key_of(const HeartbeatUserFact& u, const std::string& device_id,
                                       bool& canonical) {
    if (!u.local && directory_[u.principal].key != nullptr) {
        canonical = directory_[u.principal].canonical;
        return *directory_[u.principal].key;
    }
    assign_user_key(raw_, f_.principal(u), u.local, device_id);
    const auto& key = *keys_.insert(aliases_.resolve(raw_)).first;
    canonical = raw_ == key;
    if (!u.local) {
        directory_[u.principal].key = &key;
        directory_[u.principal].canonical = canonical;
    }
    return key;
}

void Accumulator::add_heartbeat(const HeartbeatFact& hb) {
    // Rule 4: a retired device is not billed from its retirement on; before it, it counts.
    // (A device outside f.devices cannot come from the store.)
    if (!counted(hb, p_) || hb.device >= f_.devices.size()) {
        return;
    }
    const auto& retired_at = f_.devices[hb.device].retired_at;
    if (retired_at && hb.start >= *retired_at) {
        return;
    }
    const auto di = hb.device;
    bool canonical = false;
    if (hb.start >= p_.as_of - kPrimaryWindowSeconds && hb.start < p_.as_of) {
        for (const auto& u : f_.users(hb)) {
            tally_minutes(trailing[di], &key_of(u, f_.devices[di].id, canonical), u.active_minutes);
        }
    }
    if (hb.start < p_.from || hb.start >= p_.to) {
        return;
    }
    auto& d = devices[di];
    if (in_any(p_.not_billed, hb.start)) {
        d.not_billed += hb.heartbeats;  // rule 5: kept as evidence, never billed
        return;
    }
    d.heartbeats += hb.heartbeats;
    d.minutes += hb.device_active_minutes;
    if (hb.day_mask != 0) {
        insert_days(d.days, hb.first_day, hb.day_mask);
    } else if (hb.device_active_minutes > 0) {
        d.days.insert(tz_.local_day(hb.start));
    }
    d.last_seen = std::max(d.last_seen.value_or(hb.end), hb.end);
    for (const auto& u : f_.users(hb)) {
        if (u.active_minutes > 0) {
            add_user(hb, u);
        }
    }
}

void Accumulator::add_user(const HeartbeatFact& hb, const HeartbeatUserFact& u) {
    const auto di = hb.device;
    const auto& device_id = f_.devices[di].id;
    auto& d = devices[di];
    const auto& principal = f_.principal(u);
    add(d.users, u.principal);
    bool canonical = false;
    const auto& key = key_of(u, device_id, canonical);
    tally_minutes(d.user_minutes, &key, u.active_minutes);
    UserAcc* found = u.local ? nullptr : directory_[u.principal].acc;
    if (found == nullptr) {
        found = &users[key];  // nodes of an unordered_map never move
        if (!u.local) {
            directory_[u.principal].acc = found;
        }
    }
    auto& acc = *found;
    const auto first = u.first_start.value_or(hb.start);
    const auto last = u.last_end.value_or(hb.end);
    if (acc.minutes == 0) {
        acc.first_seen = first;
        acc.local = u.local && canonical;
        acc.device_id = acc.local ? device_id : "";
    }
    // Offering a directory principal again changes neither: once is enough.
    if (u.local || !directory_[u.principal].offered) {
        if (canonical && (acc.principal.empty() || principal < acc.principal)) {
            acc.principal = principal;
        }
        display.try_emplace(key, principal);
        if (!u.local) {
            directory_[u.principal].offered = true;
        }
    }
    acc.minutes += u.active_minutes;
    if (u.day_mask != 0) {
        insert_days(acc.days, hb.first_day, u.day_mask);
    } else {
        acc.days.insert(tz_.local_day(hb.start));
    }
    acc.first_seen = std::min(acc.first_seen, first);
    acc.last_seen = std::max(acc.last_seen, last);
    add(acc.devices, di);
}

//! Phase 2: the active users, by key (no order: out.users is sorted by (principal, key) at
//! the end, and the allowance and the package counts do not depend on the order).
UserTable user_billings(Accumulator& acc, const BillingFacts& f, const Memberships& memberships,
                        const Period& p) {
    std::vector<UserBilling> users;
    users.reserve(acc.users.size());
    for (auto& [key, a] : acc.users) {
        UserBilling u;
        u.key = key;
        u.principal = a.principal.empty() ? acc.display[key] : a.principal;
        u.local = a.local;
        u.device_id = a.device_id;
        std::tie(u.group, u.package) = memberships.package_of(key, p.as_of);
        u.active_minutes = a.minutes;
        u.active_days = static_cast<std::int64_t>(a.days.size());
        u.first_seen = a.first_seen;
        u.last_seen = a.last_seen;
        u.devices = sorted_names(a.devices, [&](std::uint32_t i) { return f.devices[i].id; });
        users.push_back(std::move(u));
    }
    std::unordered_map<std::string, UserAcc>().swap(acc.users);
    return UserTable(std::move(users));
}

//! Phase 3: primary users. The newest admin assignment at as_of (unless its user was
//! released), else the most active minutes over the trailing 30 days (ties: the smaller key).
class PrimaryUsers {
  public:
    PrimaryUsers(const BillingFacts& f, const Aliases& aliases, const Period& p)
        : aliases_(aliases), signals_(last_signals(f, aliases)), as_of_(p.as_of) {
        // The newest admin assignment of each device at as_of (a later row wins a tie).
        for (const auto& a : f.assignments) {
            auto& assigned = assignment_[a.device_id];
            if (a.since <= p.as_of && (!assigned || a.since >= assigned->since)) {
                assigned = &a;
            }
        }
    }

    void pair(DeviceBilling& d, const Accumulator& acc, std::size_t di,
              const UserTable& users) const {
        const auto found = assignment_.find(d.device_id);
        const AssignmentFact* assigned = found != assignment_.end() ? found->second : nullptr;
        if (assigned && assigned->user_key) {
            const auto key = aliases_.resolve(*assigned->user_key);
            if (!released(key)) {
                d.paired_user_key = key;
                d.paired_by = "admin";
            }
        }
        if (d.paired_by.empty()) {
            std::int64_t best = 0;
            for (const auto& [key, minutes] : acc.trailing[di]) {  // ties: the smaller key
                if (minutes > best || (minutes == best && best > 0 && *key < d.paired_user_key)) {
                    best = minutes;
                    d.paired_user_key = *key;
                }
            }
            if (best > 0) {
                d.paired_by = "activity";
            }
        }
        if (!d.paired_user_key.empty()) {
            const auto* user = users.find(d.paired_user_key);
            const auto shown = acc.display.find(d.paired_user_key);
            d.paired_user = user != nullptr              ? user->principal
                            : shown != acc.display.end() ? shown->second
                                                         : d.paired_user_key;
        }
        d.primary_user_active = users.contains(d.paired_user_key);
    }

  private:
    bool released(const std::string& key) const {
        const auto it = signals_.find(key);
        return it != signals_.end() && is_released(it->second, as_of_);
    }

    const Aliases& aliases_;
    std::unordered_map<std::string, std::int64_t> signals_;
    std::int64_t as_of_;
    std::unordered_map<std::string_view, const AssignmentFact*> assignment_;
};

//! Phase 4: one device's numbers, primary user and first verdict (standalone until a
//! license covers it in cover_devices).
DeviceBilling device_billing(const BillingFacts& f, const Period& p, Accumulator& acc,
                             std::size_t di, const PrimaryUsers& primary, const UserTable& users) {
    const auto& dev = f.devices[di];
    auto& a = acc.devices[di];
    DeviceBilling d;
    d.device_id = dev.id;
    d.active_minutes = a.minutes;
    d.active_days = static_cast<std::int64_t>(a.days.size());
    d.heartbeats = a.heartbeats;
    d.last_seen = a.last_seen;
    d.users = sorted_names(a.users, [&](std::uint32_t i) { return f.principals[i]; });
    // Read no more (cover_devices reads only user_minutes): free them as the devices go.
    a.days.release();
    std::vector<std::uint32_t>().swap(a.users);
    const bool by_signal = f.tenant.count_devices_by == "signal";
    d.active = by_signal ? a.heartbeats > 0 : a.minutes > 0;
    d.retired_at = dev.retired_at;
    d.not_billed_heartbeats = a.not_billed;
    primary.pair(d, acc, di, users);
    if (!d.active) {
        const bool retired = dev.retired_at && *dev.retired_at < p.month_end;
        d.billed_as = retired ? BilledAs::kRetired : BilledAs::kNotActive;
    } else {
        d.billed_as = BilledAs::kStandalone;
        d.package = f.tenant.default_package;
    }
    return d;
}

//! A device's verdict with its texts interned in `out`.
DeviceVerdict compact(const DeviceBilling& d, CompactOutcome& out) {
    DeviceVerdict v;
    v.active_minutes = d.active_minutes;
    v.active_days = d.active_days;
    v.heartbeats = d.heartbeats;
    v.not_billed_heartbeats = d.not_billed_heartbeats;
    v.last_seen = d.last_seen;
    v.first_user = static_cast<std::uint32_t>(out.device_users.size());
    v.user_count = static_cast<std::uint32_t>(d.users.size());
    for (const auto& u : d.users) {
        out.device_users.push_back(out.texts.intern(u));
    }
    v.paired_user = out.texts.intern(d.paired_user);
    v.paired_user_key = out.texts.intern(d.paired_user_key);
    v.paired_by = out.texts.intern(d.paired_by);
    v.package = out.texts.intern(d.package);
    v.covered_by = out.texts.intern(d.covered_by);
    v.covered_by_key = out.texts.intern(d.covered_by_key);
    v.billed_as = d.billed_as;
    v.coverage = d.coverage;
    v.active = d.active;
    v.primary_user_active = d.primary_user_active;
    return v;
}

//! Phase 5: units per package and in total (rule 3), users sorted by (principal, key).
void add_totals(CompactOutcome& out, UserTable& users) {
    std::map<std::string, PackageUnits> packages;
    out.users = users.take();
    for (const auto& u : out.users) {
        ++packages[u.package].active_users;
        ++out.active_users;
    }
    for (const auto& d : out.devices) {
        if (d.active) {
            ++out.active_devices;
        }
        if (d.billed_as == BilledAs::kStandalone || d.billed_as == BilledAs::kOverflow) {
            ++packages[out.texts[d.package]].standalone_devices;
            ++out.standalone_devices;
            out.overflow_devices += d.billed_as == BilledAs::kOverflow ? 1 : 0;
        }
    }
    for (auto& [name, pk] : packages) {
        pk.package = name;
        pk.billable_units = pk.active_users + pk.standalone_devices;
        out.packages.push_back(pk);
    }
    out.billable_units = out.active_users + out.standalone_devices;
    std::sort(out.users.begin(), out.users.end(), [](const UserBilling& a, const UserBilling& b) {
        return a.principal != b.principal ? a.principal < b.principal : a.key < b.key;
    });
}

}  // namespace

std::string_view to_string(BilledAs billed) {
    switch (billed) {
        case BilledAs::kUserCovered:
            return "user-covered";
        case BilledAs::kStandalone:
            return "standalone";
        case BilledAs::kOverflow:
            return "overflow";
        case BilledAs::kRetired:
            return "retired";
        case BilledAs::kNotActive:
            return "not-active";
    }
    return "not-active";
}

std::string resolve_alias(const std::vector<AliasFact>& aliases, const std::string& key) {
    std::string current = key;
    for (std::size_t hops = 0; hops <= aliases.size(); ++hops) {
        const auto it = std::find_if(aliases.begin(), aliases.end(),
                                     [&](const AliasFact& a) { return a.alias_key == current; });
        if (it == aliases.end()) {
            return current;
        }
        current = it->user_key;
    }
    return current;
}

OutcomeTexts::OutcomeTexts() {
    texts_.emplace_back();
    index_.emplace(texts_.front(), 0);
}

std::uint32_t OutcomeTexts::intern(const std::string& text) {
    if (const auto it = index_.find(text); it != index_.end()) {
        return it->second;
    }
    const auto id = static_cast<std::uint32_t>(texts_.size());
    texts_.push_back(text);
    index_.emplace(texts_.back(), id);
    return id;
}

DeviceBilling CompactOutcome::device(std::size_t i, const Device& device) const {
    const auto& v = devices[i];
    DeviceBilling d;
    d.device_id = device.id;
    d.active = v.active;
    d.active_minutes = v.active_minutes;
    d.active_days = v.active_days;
    d.heartbeats = v.heartbeats;
    d.last_seen = v.last_seen;
    d.users.reserve(v.user_count);
    for (std::uint32_t k = 0; k < v.user_count; ++k) {
        d.users.push_back(texts[device_users[v.first_user + k]]);
    }
    d.paired_user = texts[v.paired_user];
    d.paired_user_key = texts[v.paired_user_key];
    d.paired_by = texts[v.paired_by];
    d.billed_as = v.billed_as;
    d.package = texts[v.package];
    d.coverage = v.coverage;
    d.covered_by = texts[v.covered_by];
    d.covered_by_key = texts[v.covered_by_key];
    d.primary_user_active = v.primary_user_active;
    d.retired_at = device.retired_at;
    d.not_billed_heartbeats = v.not_billed_heartbeats;
    return d;
}

namespace {

//! evaluate_compact; `release`, when set, is `f` itself: its heartbeats are freed once added up.
CompactOutcome evaluate_facts(const BillingFacts& f, const TimeZone& tz, const Period& p,
                              BillingFacts* release) {
    const Aliases aliases(f.aliases);
    Accumulator acc(f, tz, p, aliases);
    for (const auto& hb : f.heartbeats) {
        acc.add_heartbeat(hb);
    }
    if (release != nullptr) {
        std::vector<HeartbeatFact>().swap(release->heartbeats);
        std::vector<HeartbeatUserFact>().swap(release->heartbeat_users);
    }
    const Memberships memberships(f, aliases);
    auto users = user_billings(acc, f, memberships, p);
    const PrimaryUsers primary(f, aliases, p);
    CompactOutcome out;
    out.devices.reserve(f.devices.size());
    for (std::size_t di = 0; di < f.devices.size(); ++di) {
        out.devices.push_back(compact(device_billing(f, p, acc, di, primary, users), out));
    }
    // Primary users are chosen: the trailing minutes and display names are read no more.
    std::vector<std::vector<std::pair<const std::string*, std::int64_t>>>().swap(acc.trailing);
    std::unordered_map<std::string, std::string>().swap(acc.display);
    cover_devices(f, acc.devices, users, out);
    out.texts.seal();
    add_totals(out, users);
    return out;
}

}  // namespace

CompactOutcome evaluate_compact(const BillingFacts& f, const TimeZone& tz, const Period& p) {
    return evaluate_facts(f, tz, p, nullptr);
}

CompactOutcome evaluate_compact_releasing(BillingFacts& f, const TimeZone& tz, const Period& p) {
    return evaluate_facts(f, tz, p, &f);
}

BillingOutcome evaluate(const BillingFacts& f, const TimeZone& tz, const Period& p) {
    auto compact = evaluate_compact(f, tz, p);
    BillingOutcome out;
    out.devices.reserve(compact.devices.size());
    for (std::size_t di = 0; di < compact.devices.size(); ++di) {
        out.devices.push_back(compact.device(di, f.devices[di]));
    }
    out.users = std::move(compact.users);
    out.packages = std::move(compact.packages);
    out.active_devices = compact.active_devices;
    out.active_users = compact.active_users;
    out.standalone_devices = compact.standalone_devices;
    out.overflow_devices = compact.overflow_devices;
    out.billable_units = compact.billable_units;
    return out;
}

}  // namespace tally::server::billing
