// The billing engine (see billing_engine.h).

#include "server/billing/billing_engine.h"

#include <algorithm>
#include <array>
#include <bit>
#include <deque>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "server/billing/day_set.h"
#include "server/billing/pooled_lists.h"
#include "server/billing/sort_ranks.h"
#include "server/billing/user_key.h"
#include "server/billing/user_retention.h"
#include "server/domain/device_type.h"

namespace tally::server::billing {
namespace {

constexpr std::uint32_t kNone = kNoPosition;

//! (user key's text id, active minutes): a candidate to cover a device.
using TallyEntry = std::pair<std::uint32_t, std::int64_t>;
using Tally = std::vector<TallyEntry>;

//! A sum of minutes kept as two 32-bit halves: 4-byte aligned, so that a pool node of
//! UserMinutes is 24 bytes (with an int64 it would be 32).
class SplitMinutes {
  public:
    std::int64_t get() const { return std::bit_cast<std::int64_t>(halves_); }
    void add(std::int64_t minutes) {
        halves_ = std::bit_cast<std::array<std::uint32_t, 2>>(get() + minutes);
    }

  private:
    std::array<std::uint32_t, 2> halves_{};
};

//! The minutes of one user key on one device: in the window (who else can cover it) and over
//! the trailing window before as_of (who its primary user is). One node for both (issue 20:
//! two lists of 24-byte nodes were ~9 MB at 100,000 devices).
struct UserMinutes {
    std::uint32_t key = kNone;  //!< text id
    SplitMinutes window;
    SplitMinutes trailing;
};
static_assert(sizeof(UserMinutes) == 20 && alignof(UserMinutes) == 4);
static_assert(sizeof(DeviceVerdict) <= 80);
static_assert(sizeof(DaySet) <= 16);
//! Devices' tallies: a device's tally is a list (its head in the device's state).
using Tallies = PooledLists<UserMinutes>;

//! An active user's sums (56 bytes), in a vector indexed as the outcome's users before their
//! sort.
struct UserAcc {
    std::uint32_t key = kNone;        //!< text id
    std::uint32_t principal = kNone;  //!< facts.principals: the smallest canonical one
    std::uint32_t device = kNone;     //!< a local account's device (kNone: a directory user)
    //! Its devices are those whose tally has window minutes for its key (UserDevices).
    std::int64_t minutes = 0;
    std::int64_t first_seen = 0;
    std::int64_t last_seen = 0;
    DaySet days;
};

//! A device's sums (56 bytes; its lists live in the Accumulator's pools).
struct DeviceAcc {
    std::int64_t minutes = 0;
    std::int64_t heartbeats = 0;
    std::int64_t not_billed = 0;
    DaySet days;
    std::int64_t last_seen = kNeverSeen;  //!< kNeverSeen: no counted heartbeat
    std::uint32_t users = kEmptyList;     //!< principals (facts.principals), repeats allowed
    std::uint32_t tallies = kEmptyList;   //!< UserMinutes of each user key on it
};

//! The tally of `key` in the list `head` of `pool` (added, all zero, when missing).
UserMinutes& tally_of(Tallies& pool, std::uint32_t& head, std::uint32_t key) {
    if (auto* entry = pool.find_if(head, [key](const UserMinutes& t) { return t.key == key; })) {
        return *entry;
    }
    return pool.push(head, UserMinutes{key, {}, {}});
}

bool in_any(const std::vector<TimeSpan>& spans, std::int64_t t) {
    return std::any_of(spans.begin(), spans.end(),
                       [t](const TimeSpan& s) { return s.contains(t); });
}

//! v[i], or kNone past its end.
std::uint32_t at_or_none(const std::vector<std::uint32_t>& v, std::uint32_t i) {
    return i < v.size() ? v[i] : kNone;
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
    //! The group of a user at `as_of` (newest membership covering it) and its package (views
    //! of the facts).
    std::pair<std::string_view, std::string_view> package_of(std::string_view key,
                                                             std::int64_t as_of) const {
        const MembershipFact* best = nullptr;
        const auto it = by_key_.empty() ? by_key_.end() : by_key_.find(std::string(key));
        if (it != by_key_.end()) {
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

//! Phase 1 of evaluate: every counted heartbeat added up per device and per user, and the
//! trailing-window minutes that choose primary users. User keys are interned in the outcome's
//! texts from the start: a user is its key's text id, its sums a position in `users`.
class Accumulator {
  public:
    Accumulator(const BillingFacts& f, const TimeZone& tz, const Period& p, const Aliases& aliases,
                OutcomeTexts& texts)
        : devices(f.devices.size()),
          f_(f),
          tz_(tz),
          p_(p),
          aliases_(aliases),
          texts_(texts),
          directory_(f.principals.size()),
          principal_text_(f.principals.size(), kNone) {}

    void add_heartbeat(const HeartbeatFact& hb);
    //! The position in `users` of the user keyed by text id `key`; kNone: not active.
    std::uint32_t user(std::uint32_t key) const { return at_or_none(user_of_, key); }
    //! A principal offered for `key` (facts.principals), kNone when none.
    std::uint32_t display(std::uint32_t key) const { return at_or_none(display_, key); }
    //! The text id of facts.principals[principal].
    std::uint32_t principal_text(std::uint32_t principal);
    //! Frees what only primary users and device verdicts read (display names, the devices'
    //! principals).
    void release_primary() {
        principals.release();
        std::vector<std::uint32_t>().swap(display_);
    }

    // Per-device state lives in vectors in the order of f.devices (heartbeats name theirs by
    // position).
    std::vector<DeviceAcc> devices;
    //! A deque: growing never holds two copies (a large tenant has 180,000 active users), and
    //! user_verdicts frees it from the front as it makes the outcome's users.
    std::deque<UserAcc> users;
    Tallies tallies;                        //!< DeviceAcc::tallies
    PooledLists<std::uint32_t> principals;  //!< DeviceAcc::users

  private:
    //! A directory user's key depends on its principal only: resolved once per principal.
    struct DirectoryKey {
        std::uint32_t key = kNone;
        bool canonical = false;  //!< its raw key is its key (not merged into another)
        bool offered = false;    //!< its principal was offered to the principal and display
    };

    //! The key (text id) of `u` on device `device_id`; `canonical`: raw key == key.
    std::uint32_t key_of(const HeartbeatUserFact& u, const std::string& device_id, bool& canonical);
    UserAcc& user_acc(std::uint32_t key);
    void offer(UserAcc& acc, const HeartbeatUserFact& u, bool canonical);
    //! key_of the k-th user of `hb`, made once per heartbeat (the trailing minutes and the
    //! window both ask: a local account's key is a new string each time).
    std::uint32_t hb_key(const HeartbeatFact& hb, std::size_t k, bool& canonical);
    void add_user(const HeartbeatFact& hb, std::size_t k);

    const BillingFacts& f_;
    const TimeZone& tz_;
    const Period& p_;
    const Aliases& aliases_;
    OutcomeTexts& texts_;
    std::vector<DirectoryKey> directory_;
    std::vector<std::uint32_t> principal_text_;
    std::vector<std::uint32_t> user_of_;  //!< by key text id: position in users, or kNone
    std::vector<std::uint32_t> display_;  //!< by key text id: a principal, or kNone
    std::string raw_;                     // a raw key (storage reused)
    //! (key, canonical) of the current heartbeat's users; kNone: not made yet.
    std::vector<std::pair<std::uint32_t, bool>> hb_keys_;
};

std::uint32_t Accumulator::principal_text(std::uint32_t principal) {
    auto& id = principal_text_[principal];
    if (id == kNone) {
        id = texts_.intern(f_.principals[principal]);
    }
    return id;
}

std::uint32_t Accumulator::key_of(const HeartbeatUserFact& u, const std::string& device_id,
                                  bool& canonical) {
    if (!u.local && directory_[u.principal].key != kNone) {
        canonical = directory_[u.principal].canonical;
        return directory_[u.principal].key;
    }
    assign_user_key(raw_, f_.principal(u), u.local, device_id);
    const auto& resolved = aliases_.resolve(raw_);
    canonical = &resolved == &raw_ || resolved == raw_;
    const auto key = texts_.intern(resolved);
    if (!u.local) {
        directory_[u.principal].key = key;
        directory_[u.principal].canonical = canonical;
    }
    return key;
}

std::uint32_t Accumulator::hb_key(const HeartbeatFact& hb, std::size_t k, bool& canonical) {
    auto& [key, is_canonical] = hb_keys_[k];
    if (key == kNone) {
        key = key_of(f_.heartbeat_users[hb.first_user + k], f_.devices[hb.device].id, is_canonical);
    }
    canonical = is_canonical;
    return key;
}

UserAcc& Accumulator::user_acc(std::uint32_t key) {
    if (key >= user_of_.size()) {
        user_of_.resize(std::max<std::size_t>(texts_.size(), key + 1), kNone);
        display_.resize(user_of_.size(), kNone);
    }
    if (user_of_[key] == kNone) {
        user_of_[key] = static_cast<std::uint32_t>(users.size());
        users.emplace_back().key = key;
    }
    return users[user_of_[key]];
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
    const auto users_of = f_.users(hb);
    hb_keys_.assign(users_of.size(), {kNone, false});
    bool canonical = false;
    if (hb.start >= p_.as_of - kPrimaryWindowSeconds && hb.start < p_.as_of) {
        for (std::size_t k = 0; k < users_of.size(); ++k) {
            tally_of(tallies, devices[di].tallies, hb_key(hb, k, canonical))
                .trailing.add(users_of[k].active_minutes);
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
        d.days.insert_mask(hb.first_day, hb.day_mask);
    } else if (hb.device_active_minutes > 0) {
        d.days.insert(tz_.local_day(hb.start));
    }
    d.last_seen = std::max(d.last_seen, hb.end);
    for (std::size_t k = 0; k < users_of.size(); ++k) {
        if (users_of[k].active_minutes > 0) {
            add_user(hb, k);
        }
    }
}

//! The user's display principal: the smallest canonical principal; the key's display: the
//! first principal offered for it.
void Accumulator::offer(UserAcc& acc, const HeartbeatUserFact& u, bool canonical) {
    // Offering a directory principal again changes neither: once is enough.
    if (!u.local && directory_[u.principal].offered) {
        return;
    }
    const auto& principal = f_.principal(u);
    if (canonical && (acc.principal == kNone || f_.principals[acc.principal].empty() ||
                      principal < f_.principals[acc.principal])) {
        acc.principal = u.principal;
    }
    if (display_[acc.key] == kNone) {
        display_[acc.key] = u.principal;
    }
    if (!u.local) {
        directory_[u.principal].offered = true;
    }
}

void Accumulator::add_user(const HeartbeatFact& hb, std::size_t k) {
    const auto& u = f_.users(hb)[k];
    const auto di = hb.device;
    auto& d = devices[di];
    if (const auto* newest = principals.front(d.users); !newest || *newest != u.principal) {
        principals.push(d.users, u.principal);
    }
    bool canonical = false;
    const auto key = hb_key(hb, k, canonical);
    tally_of(tallies, d.tallies, key).window.add(u.active_minutes);
    auto& acc = user_acc(key);
    const auto first = u.first_start.value_or(hb.start);
    const auto last = u.last_end.value_or(hb.end);
    if (acc.minutes == 0) {
        acc.first_seen = first;
        acc.device = u.local && canonical ? di : kNone;
    }
    offer(acc, u, canonical);
    acc.minutes += u.active_minutes;
    if (u.day_mask != 0) {
        acc.days.insert_mask(hb.first_day, u.day_mask);
    } else {
        acc.days.insert(tz_.local_day(hb.start));
    }
    acc.first_seen = std::min(acc.first_seen, first);
    acc.last_seen = std::max(acc.last_seen, last);
}

//! Appends the distinct devices of `positions` to out.user_devices, sorted by id; returns the
//! first index of the range and its length.
std::pair<std::uint32_t, std::uint32_t> append_devices(const std::vector<std::uint32_t>& id_rank,
                                                       std::vector<std::uint32_t>& positions,
                                                       CompactOutcome& out) {
    const auto by_id = [&](std::uint32_t a, std::uint32_t b) { return id_rank[a] < id_rank[b]; };
    std::sort(positions.begin(), positions.end(), by_id);
    const auto first = static_cast<std::uint32_t>(out.user_devices.size());
    for (const auto i : positions) {
        if (out.user_devices.size() == first || by_id(out.user_devices.back(), i)) {
            out.user_devices.push_back(i);
        }
    }
    return {first, static_cast<std::uint32_t>(out.user_devices.size() - first)};
}

//! Each active user's devices (positions in facts.devices, ascending): those whose tally has
//! window minutes for its key, as add_user added them. The devices of acc.users[u] are
//! devices[first[u], first[u + 1]). Made from the tallies when the users' verdicts are made
//! (issue 20: a list per user kept while the heartbeats were added up was 1.6 MB of the
//! engine's peak at 100,000 devices).
struct UserDevices {
    std::vector<std::uint32_t> first;
    std::vector<std::uint32_t> devices;

    explicit UserDevices(const Accumulator& acc) : first(acc.users.size() + 1, 0) {
        each_use(acc, [&](std::uint32_t user, std::uint32_t) { ++first[user + 1]; });
        for (std::size_t u = 0; u + 1 < first.size(); ++u) {
            first[u + 1] += first[u];
        }
        devices.resize(first.back());
        // first[u] walks to first[u + 1] as u's devices are placed, then moves back.
        each_use(acc, [&](std::uint32_t user, std::uint32_t di) { devices[first[user]++] = di; });
        std::copy_backward(first.begin(), first.end() - 1, first.end());
        first[0] = 0;
    }

  private:
    //! fn(user, device) for every device with window minutes of an active user.
    template <typename Fn>
    static void each_use(const Accumulator& acc, Fn fn) {
        for (std::uint32_t di = 0; di < acc.devices.size(); ++di) {
            acc.tallies.each(acc.devices[di].tallies, [&](const UserMinutes& t) {
                const auto user = acc.user(t.key);
                if (t.window.get() > 0 && user != kNone) {
                    fn(user, di);
                }
            });
        }
    }
};

//! phase_end(), when set (billing_engine.h PhaseEnd).
void end_phase(PhaseEnd phase_end) {
    if (phase_end != nullptr) {
        phase_end();
    }
}

//! Phase 2: the active users (out.users in acc.users' order: sorted by (principal, key) at the
//! end; the allowance and the package counts do not depend on the order). Their sums are freed
//! as they go, and given back halfway (`phase_end`): the outcome's users fill fresh pages.
void user_verdicts(Accumulator& acc, const BillingFacts& f, const Memberships& memberships,
                   const Period& p, const std::vector<std::uint32_t>& id_rank, PhaseEnd phase_end,
                   CompactOutcome& out) {
    out.users.reserve(acc.users.size());
    const UserDevices devices_of(acc);
    std::vector<std::uint32_t> positions;
    const auto half = acc.users.size() / 2;
    for (std::uint32_t i = 0; !acc.users.empty(); acc.users.pop_front(), ++i) {  // freed as they go
        if (i == half && i > 0) {
            end_phase(phase_end);  // the first half's sums
        }
        const auto& a = acc.users.front();
        UserVerdict u;
        u.key = a.key;
        const auto shown = a.principal != kNone && !f.principals[a.principal].empty()
                               ? a.principal
                               : acc.display(a.key);
        u.principal = shown == kNone ? 0 : acc.principal_text(shown);
        u.local = a.device != kNone;
        u.device = a.device;
        const auto [group, package] = memberships.package_of(out.texts[a.key], p.as_of);
        u.group = out.texts.intern(group);
        u.package = out.texts.intern(package);
        u.active_minutes = a.minutes;
        u.active_days = static_cast<std::int64_t>(a.days.size());
        u.first_seen = a.first_seen;
        u.last_seen = a.last_seen;
        positions.assign(devices_of.devices.begin() + devices_of.first[i],
                         devices_of.devices.begin() + devices_of.first[i + 1]);
        std::tie(u.first_device, u.device_count) = append_devices(id_rank, positions, out);
        out.users.push_back(u);
    }
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

    void pair(DeviceVerdict& d, const std::string& device_id, Accumulator& acc, std::size_t di,
              CompactOutcome& out) const {
        auto& texts = out.texts;
        const auto found = assignment_.empty() ? assignment_.end() : assignment_.find(device_id);
        const AssignmentFact* assigned = found != assignment_.end() ? found->second : nullptr;
        if (assigned && assigned->user_key) {
            const auto& key = aliases_.resolve(*assigned->user_key);
            if (!released(key)) {
                d.paired_user_key = texts.intern(key);
                d.paired_by = texts.intern("admin");
            }
        }
        if (d.paired_by == 0) {
            std::int64_t best = 0;
            acc.tallies.each(acc.devices[di].tallies, [&](const UserMinutes& t) {
                const auto key = t.key;  // ties: the smaller key
                const auto minutes = t.trailing.get();
                if (minutes > best ||
                    (minutes == best && best > 0 && texts[key] < texts[d.paired_user_key])) {
                    best = minutes;
                    d.paired_user_key = key;
                }
            });
            if (best > 0) {
                d.paired_by = texts.intern("activity");
            }
        }
        const auto user = acc.user(d.paired_user_key);
        if (!texts[d.paired_user_key].empty()) {
            const auto shown = acc.display(d.paired_user_key);
            d.paired_user = user != kNone    ? out.users[user].principal
                            : shown != kNone ? acc.principal_text(shown)
                                             : d.paired_user_key;
        }
        d.primary_user_active = user != kNone;
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
//! license covers it in cover_devices), its texts interned in `out`.
DeviceVerdict device_verdict(const BillingFacts& f, const Period& p, Accumulator& acc,
                             std::size_t di, const PrimaryUsers& primary, CompactOutcome& out) {
    const auto& dev = f.devices[di];
    auto& a = acc.devices[di];
    DeviceVerdict d;
    d.active_minutes = a.minutes;
    d.active_days = static_cast<std::int64_t>(a.days.size());
    d.heartbeats = a.heartbeats;
    d.last_seen = a.last_seen;
    // The distinct principals active on it, by name (repeats of a text removed below).
    d.first_user = static_cast<std::uint32_t>(out.device_users.size());
    acc.principals.each(
        a.users, [&](std::uint32_t i) { out.device_users.push_back(acc.principal_text(i)); });
    const auto names = out.device_users.begin() + d.first_user;
    std::sort(names, out.device_users.end(),
              [&](std::uint32_t x, std::uint32_t y) { return out.texts[x] < out.texts[y]; });
    out.device_users.erase(std::unique(names, out.device_users.end()), out.device_users.end());
    d.user_count = static_cast<std::uint32_t>(out.device_users.size() - d.first_user);
    // Read no more (cover_devices reads only the tallies): free them as the devices go.
    a.days.release();
    a.users = kEmptyList;
    const bool by_signal = f.tenant.count_devices_by == "signal";
    d.active = by_signal ? a.heartbeats > 0 : a.minutes > 0;
    d.not_billed_heartbeats = a.not_billed;
    primary.pair(d, dev.id, acc, di, out);
    if (!d.active) {
        const bool retired = dev.retired_at && *dev.retired_at < p.month_end;
        d.billed_as = retired ? BilledAs::kRetired : BilledAs::kNotActive;
    } else {
        d.billed_as = BilledAs::kStandalone;
        d.package = out.texts.intern(f.tenant.default_package);
    }
    return d;
}

//! Each user's active devices it covers (UserVerdict::first_paired), sorted by device id;
//! `covering[i]`: the user covering device i, or kNone.
void list_paired(const std::vector<std::uint32_t>& id_rank,
                 const std::vector<std::uint32_t>& covering, CompactOutcome& out) {
    std::vector<std::uint32_t> next(out.users.size() + 1, 0);
    for (const auto user : covering) {
        if (user != kNone) {
            ++next[user + 1];
        }
    }
    const auto base = static_cast<std::uint32_t>(out.user_devices.size());
    for (std::size_t u = 0; u < out.users.size(); ++u) {
        out.users[u].first_paired = base + next[u];
        out.users[u].paired_count = next[u + 1];
        next[u + 1] += next[u];
    }
    out.user_devices.resize(base + next.back());
    for (std::size_t i = 0; i < covering.size(); ++i) {
        if (covering[i] != kNone) {
            out.user_devices[base + next[covering[i]]++] = static_cast<std::uint32_t>(i);
        }
    }
    for (const auto& u : out.users) {
        const auto range = out.user_devices.begin() + u.first_paired;
        std::sort(range, range + u.paired_count,
                  [&](std::uint32_t a, std::uint32_t b) { return id_rank[a] < id_rank[b]; });
    }
}

//! Rule 2: each active device is covered by its primary user's license when that user is
//! active and has allowance left, else by another user active on it this month with allowance
//! left (most active minutes on it first); a device no active user can cover is standalone
//! (kStandalone: no user active on it; kOverflow: every one of them is out of allowance).
//! Primary users claim first, their devices by most active minutes; then the others.
void cover_devices(const BillingFacts& f, const Accumulator& acc,
                   const std::vector<std::uint32_t>& id_rank, CompactOutcome& out) {
    auto& devices = out.devices;
    const auto& texts = out.texts;
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
                                                      : id_rank[a] < id_rank[b];
    });
    std::vector<Allowance> allowance(out.users.size());
    std::vector<std::uint32_t> covering(devices.size(), kNone);
    const auto cover = [&](std::size_t i, std::uint32_t key, std::uint32_t user, Coverage how) {
        auto& d = devices[i];
        d.billed_as = BilledAs::kUserCovered;
        d.coverage = how;
        d.covered_by_key = key;
        d.covered_by = out.users[user].principal;
        d.package = out.users[user].package;
        covering[i] = user;
    };
    const auto personal = [&](std::size_t i) {
        return domain::parse_device_type(f.devices[i].facts.device_type) ==
               domain::DeviceType::personal;
    };
    for (const auto i : order) {  // primary users first
        const auto paired = devices[i].paired_user_key;
        if (devices[i].primary_user_active && allowance[acc.user(paired)].take(personal(i))) {
            cover(i, paired, acc.user(paired), Coverage::kPrimaryUser);
        }
    }
    Tally candidates;
    for (const auto i : order) {  // then any other user active on it
        auto& d = devices[i];
        if (d.billed_as == BilledAs::kUserCovered) {
            continue;
        }
        candidates.clear();
        acc.tallies.each(acc.devices[i].tallies, [&](const UserMinutes& t) {
            candidates.emplace_back(t.key, t.window.get());  // 0: only in the trailing window
        });
        std::sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
            return a.second != b.second ? a.second > b.second : texts[a.first] < texts[b.first];
        });
        // The user whose allowance ran out first: the primary user, else the most active.
        auto over = d.primary_user_active ? acc.user(d.paired_user_key) : kNone;
        for (const auto& [key, minutes] : candidates) {
            const auto user = acc.user(key);
            if (minutes <= 0 || user == kNone) {
                continue;
            }
            if (allowance[user].take(personal(i))) {
                const bool primary = key == d.paired_user_key;
                cover(i, key, user, primary ? Coverage::kPrimaryUser : Coverage::kOtherUser);
                break;
            }
            over = over != kNone ? over : user;
        }
        if (d.billed_as != BilledAs::kUserCovered && over != kNone) {
            d.billed_as = BilledAs::kOverflow;  // a standalone unit in that user's package
            d.package = out.users[over].package;
        }
    }
    list_paired(id_rank, covering, out);
}

//! Phase 5: units per package and in total (rule 3), users sorted by (principal, key).
void add_totals(CompactOutcome& out) {
    // By package text id: (active users, standalone devices). A few packages: not a counter
    // per text (250,000 texts at 100,000 devices were 4 MB touched after the last give-back).
    std::map<std::uint32_t, std::pair<std::int64_t, std::int64_t>> in_package;
    for (const auto& u : out.users) {
        ++in_package[u.package].first;
        ++out.active_users;
    }
    for (const auto& d : out.devices) {
        if (d.active) {
            ++out.active_devices;
        }
        if (d.billed_as == BilledAs::kStandalone || d.billed_as == BilledAs::kOverflow) {
            ++in_package[d.package].second;
            ++out.standalone_devices;
            out.overflow_devices += d.billed_as == BilledAs::kOverflow ? 1 : 0;
        }
    }
    std::map<std::string, PackageUnits> packages;
    for (const auto& [id, counts] : in_package) {
        auto& pk = packages[std::string(out.texts[id])];
        pk.active_users += counts.first;
        pk.standalone_devices += counts.second;
    }
    for (auto& [name, pk] : packages) {
        pk.package = name;
        pk.billable_units = pk.active_users + pk.standalone_devices;
        out.packages.push_back(pk);
    }
    out.billable_units = out.active_users + out.standalone_devices;
    // By principal: compared once each while ranked, then as integers; keys break ties.
    std::vector<std::uint32_t> principals(out.users.size());
    std::transform(out.users.begin(), out.users.end(), principals.begin(),
                   [](const UserVerdict& u) { return u.principal; });
    const auto rank = text_ranks(out.texts, std::move(principals));
    const auto& texts = out.texts;
    std::sort(out.users.begin(), out.users.end(), [&](const UserVerdict& a, const UserVerdict& b) {
        const auto ra = rank[a.principal];
        const auto rb = rank[b.principal];
        return ra != rb ? ra < rb : texts[a.key] < texts[b.key];
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

DeviceBilling CompactOutcome::device(std::size_t i, const BillingDevice& device) const {
    DeviceBilling d;
    device_into(i, device, d);
    return d;
}

void CompactOutcome::device_into(std::size_t i, const BillingDevice& device,
                                 DeviceBilling& d) const {
    const auto& v = devices[i];
    d.device_id = device.id;
    d.active = v.active;
    d.active_minutes = v.active_minutes;
    d.active_days = v.active_days;
    d.heartbeats = v.heartbeats;
    d.last_seen = v.last_seen == kNeverSeen ? std::nullopt : std::optional(v.last_seen);
    d.users.resize(v.user_count);
    for (std::uint32_t k = 0; k < v.user_count; ++k) {
        d.users[k] = texts[device_users[v.first_user + k]];
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
}

void CompactOutcome::user_into(std::size_t i, const std::vector<BillingDevice>& devices_of,
                               UserBilling& out) const {
    const auto& v = users[i];
    out.key = texts[v.key];
    out.principal = texts[v.principal];
    out.local = v.local;
    if (v.device == kNoPosition) {
        out.device_id.clear();
    } else {
        out.device_id = devices_of[v.device].id;
    }
    out.group = texts[v.group];
    out.package = texts[v.package];
    out.active_minutes = v.active_minutes;
    out.active_days = v.active_days;
    out.first_seen = v.first_seen;
    out.last_seen = v.last_seen;
    const auto ids = [&](std::uint32_t first, std::uint32_t count, std::vector<std::string>& to) {
        to.resize(count);
        for (std::uint32_t k = 0; k < count; ++k) {
            to[k] = devices_of[user_devices[first + k]].id;
        }
    };
    ids(v.first_device, v.device_count, out.devices);
    ids(v.first_paired, v.paired_count, out.devices_paired);
}

UserBilling CompactOutcome::user(std::size_t i,
                                 const std::vector<BillingDevice>& devices_of) const {
    UserBilling u;
    user_into(i, devices_of, u);
    return u;
}

namespace {

//! evaluate_compact; `release`, when set, is `f` itself: its heartbeats are freed once added up.
CompactOutcome evaluate_facts(const BillingFacts& f, const TimeZone& tz, const Period& p,
                              BillingFacts* release, PhaseEnd phase_end) {
    CompactOutcome out;
    const Aliases aliases(f.aliases);
    Accumulator acc(f, tz, p, aliases, out.texts);
    for (const auto& hb : f.heartbeats) {
        acc.add_heartbeat(hb);
    }
    if (release != nullptr) {
        std::vector<HeartbeatFact>().swap(release->heartbeats);
        std::vector<HeartbeatUserFact>().swap(release->heartbeat_users);
    }
    const Memberships memberships(f, aliases);
    const auto id_rank = device_id_ranks(f.devices);
    user_verdicts(acc, f, memberships, p, id_rank, phase_end, out);
    end_phase(phase_end);  // the users' sums are freed
    const PrimaryUsers primary(f, aliases, p);
    out.devices.reserve(f.devices.size());
    for (std::size_t di = 0; di < f.devices.size(); ++di) {
        out.devices.push_back(device_verdict(f, p, acc, di, primary, out));
    }
    // Primary users are chosen: the display names and principals are read no more.
    acc.release_primary();
    end_phase(phase_end);
    cover_devices(f, acc, id_rank, out);
    acc.tallies.release();
    std::vector<DeviceAcc>().swap(acc.devices);
    out.texts.seal();
    end_phase(phase_end);
    add_totals(out);
    return out;
}

}  // namespace

CompactOutcome evaluate_compact(const BillingFacts& f, const TimeZone& tz, const Period& p,
                                PhaseEnd phase_end) {
    return evaluate_facts(f, tz, p, nullptr, phase_end);
}

CompactOutcome evaluate_compact_releasing(BillingFacts& f, const TimeZone& tz, const Period& p,
                                          PhaseEnd phase_end) {
    return evaluate_facts(f, tz, p, &f, phase_end);
}

BillingOutcome evaluate(const BillingFacts& f, const TimeZone& tz, const Period& p) {
    auto compact = evaluate_compact(f, tz, p);
    BillingOutcome out;
    out.devices.reserve(compact.devices.size());
    for (std::size_t di = 0; di < compact.devices.size(); ++di) {
        out.devices.push_back(compact.device(di, f.devices[di]));
    }
    out.users.reserve(compact.users.size());
    for (std::size_t ui = 0; ui < compact.users.size(); ++ui) {
        out.users.push_back(compact.user(ui, f.devices));
    }
    out.packages = std::move(compact.packages);
    out.active_devices = compact.active_devices;
    out.active_users = compact.active_users;
    out.standalone_devices = compact.standalone_devices;
    out.overflow_devices = compact.overflow_devices;
    out.billable_units = compact.billable_units;
    return out;
}

}  // namespace tally::server::billing
