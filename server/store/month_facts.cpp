// Whole-month billing facts (see month_facts.h).

#include "server/store/month_facts.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "server/billing/user_key.h"

namespace tally::server {

bool month_uncut(const TenantSettings& tenant, const MonthWindow& w) {
    if (!w.coarse) {
        return false;
    }
    const auto inside = [&](std::int64_t t) { return t > w.from && t < w.to; };
    if ((tenant.trial_end && inside(*tenant.trial_end)) ||
        (tenant.inactive_since && inside(*tenant.inactive_since))) {
        return false;
    }
    for (const auto& span : tenant.inactive_spans) {
        if (inside(span.since) || inside(span.until)) {
            return false;
        }
    }
    return true;
}

std::int64_t trailed_start(const MonthWindow& w) {
    return std::max(w.from, w.as_of - billing::kPrimaryWindowSeconds);
}

std::vector<TimeRange> untrailed_parts(const MonthWindow& w) {
    const auto lo = trailed_start(w);
    const auto hi = std::min(w.to, w.as_of);
    if (lo >= hi || (lo == w.from && hi == w.to)) {
        return {};  // the window covers none of the month, or all of it
    }
    std::vector<TimeRange> out;
    if (lo > w.from) {
        out.push_back({w.from, lo});
    }
    if (hi < w.to) {
        out.push_back({hi, w.to});
    }
    return out;
}

namespace {

//! The first instant of local day `day`, if it is one (not inside a change of offset).
std::optional<std::int64_t> day_start(const billing::TimeZone& tz, std::int64_t day) {
    const auto t = tz.utc_of_local(day * 86400);
    if (tz.local_day(t) != day || tz.local_day(t - 1) != day - 1) {
        return std::nullopt;
    }
    return t;
}

}  // namespace

RangeRead split_days(const billing::TimeZone& tz, TimeRange r) {
    RangeRead out;
    const auto first_of = tz.local_day(r.from);
    const auto from_start = day_start(tz, first_of);
    const auto first = from_start && *from_start == r.from ? first_of : first_of + 1;
    const auto last = tz.local_day(r.to) - 1;  // the day holding `to` is not whole inside
    const auto start = day_start(tz, first);
    const auto end = day_start(tz, last + 1);
    if (first > last || !from_start || !start || !end) {
        out.hourly.push_back(r);
        return out;
    }
    if (r.from < *start) {
        out.hourly.push_back({r.from, *start});
    }
    if (*end < r.to) {
        out.hourly.push_back({*end, r.to});
    }
    out.days = DayRun{first, last, *start};
    return out;
}

void append_days_fact(const DayRun& run, const std::vector<UserMinutes>& days,
                      const MonthDeviceRollup* m, std::uint32_t device_pos, std::int32_t first_day,
                      const std::function<std::uint32_t(const std::string&)>& intern,
                      std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users) {
    HeartbeatFact h;
    h.device = device_pos;
    h.start = h.received_at = run.start;
    h.end = m != nullptr ? m->last_end : run.start;
    h.heartbeats = 0;
    h.first_day = first_day;
    h.first_user = static_cast<std::uint32_t>(users.size());
    for (const auto& d : days) {
        if (d.minutes <= 0) {
            continue;
        }
        HeartbeatUserFact u;
        u.principal = intern(d.principal);
        u.local = d.local;
        u.active_minutes = d.minutes;
        if (m != nullptr) {
            const auto it = std::find_if(m->users.begin(), m->users.end(), [&](const auto& x) {
                return x.principal == d.principal && x.local == d.local;
            });
            if (it == m->users.end()) {
                continue;  // not in the month's rollups: cannot be (the same ingest wrote both)
            }
            u.day_mask = it->day_mask;
            u.first_start = it->first_active;
            u.last_end = it->last_active;
        }
        users.push_back(u);
        ++h.user_count;
    }
    if (h.user_count == 0) {
        return;  // nothing for the trailing window
    }
    facts.push_back(h);
}

MergedKeys::MergedKeys(const std::vector<AliasFact>& aliases) {
    for (const auto& a : aliases) {
        keys_.insert(a.alias_key);
        keys_.insert(a.user_key);
    }
}

bool MergedKeys::names_any(const MonthDeviceRollup& m, std::string_view device_id) const {
    if (keys_.empty()) {
        return false;
    }
    std::string key;
    for (const auto& u : m.users) {
        billing::assign_user_key(key, u.principal, u.local, device_id);
        if (keys_.count(key) != 0) {
            return true;
        }
    }
    return false;
}

bool device_uncut(const BillingDevice& device, const MonthDeviceRollup& m, const MonthWindow& w,
                  const MergedKeys& merged) {
    if (device.retired_at && *device.retired_at > w.from && *device.retired_at < w.to) {
        return false;
    }
    if (w.received_before && m.late_heartbeats > 0) {
        return false;
    }
    return !merged.names_any(m, device.id);
}

namespace {

//! What the hourly facts of a split month hold, to subtract from its rollups.
struct CutTotals {
    std::int64_t heartbeats = 0;
    std::int64_t minutes = 0;
    std::map<std::pair<std::uint32_t, bool>, std::int64_t> user_minutes;  //!< (principal, local)

    std::int64_t of(std::uint32_t principal, bool local) const {
        const auto it = user_minutes.find({principal, local});
        return it == user_minutes.end() ? 0 : it->second;
    }
};

//! The month fact of `m` starting at `start`, less `cut`.
void append_fact(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                 std::int64_t start, const CutTotals& cut,
                 const std::function<std::uint32_t(const std::string&)>& intern,
                 std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users) {
    HeartbeatFact h;
    h.device = device_pos;
    h.start = start;
    h.end = m.last_end;
    h.received_at = h.start;
    h.device_active_minutes = m.active_minutes - cut.minutes;
    h.heartbeats = static_cast<std::uint32_t>(m.heartbeats - cut.heartbeats);
    h.day_mask = m.day_mask;
    h.first_day = first_day;
    h.first_user = static_cast<std::uint32_t>(users.size());
    for (const auto& u : m.users) {
        HeartbeatUserFact fact;
        fact.principal = intern(u.principal);
        fact.local = u.local;
        fact.active_minutes = u.active_minutes - cut.of(fact.principal, fact.local);
        if (fact.active_minutes <= 0) {
            continue;  // all of its minutes are in the hourly facts
        }
        fact.day_mask = u.day_mask;
        fact.first_start = u.first_active;
        fact.last_end = u.last_active;
        users.push_back(fact);
        ++h.user_count;
    }
    if (h.user_count == 0) {
        h.first_user = 0;
    }
    facts.push_back(h);
}

}  // namespace

void append_month_fact(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                       const MonthWindow& w,
                       const std::function<std::uint32_t(const std::string&)>& intern,
                       std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users) {
    // Any start inside the month answers every test the engine makes (no cut inside it); the
    // days come from the masks.
    append_fact(m, device_pos, first_day, m.first_active.value_or(w.from), CutTotals{}, intern,
                facts, users);
}

void append_month_rest(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                       const MonthWindow& w, std::size_t cut_first,
                       const std::function<std::uint32_t(const std::string&)>& intern,
                       std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users) {
    CutTotals cut;
    for (auto i = cut_first; i < facts.size(); ++i) {
        const auto& h = facts[i];
        cut.heartbeats += h.heartbeats;
        cut.minutes += h.device_active_minutes;
        for (std::uint32_t k = 0; k < h.user_count; ++k) {
            const auto& u = users[h.first_user + k];
            cut.user_minutes[{u.principal, u.local}] += u.active_minutes;
        }
    }
    append_fact(m, device_pos, first_day, trailed_start(w), cut, intern, facts, users);
}

}  // namespace tally::server
