// Whole-month billing facts (see month_facts.h).

#include "server/store/month_facts.h"

#include "server/billing/user_key.h"

namespace tally::server {

bool month_uncut(const TenantSettings& tenant, const MonthWindow& w) {
    if (!w.coarse) {
        return false;
    }
    const auto inside = [&](std::int64_t t) { return t > w.from && t < w.to; };
    const auto trailing_from = w.as_of - billing::kPrimaryWindowSeconds;
    if (inside(w.as_of) || inside(trailing_from)) {
        return false;
    }
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

bool device_uncut(const Device& device, const MonthDeviceRollup& m, const MonthWindow& w,
                  const MergedKeys& merged) {
    if (device.retired_at && *device.retired_at > w.from && *device.retired_at < w.to) {
        return false;
    }
    if (w.received_before && m.late_heartbeats > 0) {
        return false;
    }
    return !merged.names_any(m, device.id);
}

void append_month_fact(const MonthDeviceRollup& m, std::uint32_t device_pos, std::int32_t first_day,
                       const MonthWindow& w,
                       const std::function<std::uint32_t(const std::string&)>& intern,
                       std::vector<HeartbeatFact>& facts, std::vector<HeartbeatUserFact>& users) {
    HeartbeatFact h;
    h.device = device_pos;
    // Any start inside the month answers every test the engine makes (no cut inside it); the
    // days come from the masks.
    h.start = m.first_active.value_or(w.from);
    h.end = m.last_end;
    h.received_at = h.start;
    h.device_active_minutes = m.active_minutes;
    h.heartbeats = static_cast<std::uint32_t>(m.heartbeats);
    h.day_mask = m.day_mask;
    h.first_day = first_day;
    h.first_user = static_cast<std::uint32_t>(users.size());
    for (const auto& u : m.users) {
        HeartbeatUserFact fact;
        fact.principal = intern(u.principal);
        fact.local = u.local;
        fact.day_mask = u.day_mask;
        fact.active_minutes = u.active_minutes;
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

}  // namespace tally::server
