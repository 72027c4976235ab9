// Tenant policy and status changes (see tenant_policy.h).

#include "server/billing/tenant_policy.h"

#include <charconv>

#include "pairing/time_format.h"
#include "server/domain/tenant_state.h"

namespace tally::server::billing {
namespace {

const std::string* get(const Options& o, const char* name) {
    const auto it = o.find(name);
    return it == o.end() ? nullptr : &it->second;
}

//! DESIGN.md §5 rule 7: a status change dated `at` must not rewrite a month that has closed
//! (grace_hours after its end) by `now`.
Result<void> refuse_closed_month(const TenantSettings& t, const TimeZone& tz, std::int64_t at,
                                 std::int64_t now) {
    const auto month = pairing::format_rfc3339(at + tz.offset_at(at)).substr(0, 7);
    const auto range = tz.month_range(month);
    if (!range) {
        return make_error("bad_request", "at: no month " + month + " in time zone " + tz.name());
    }
    const auto closes_at = range->second + t.grace_hours * 3600;
    if (closes_at <= now) {
        return make_error("bad_request", "at: " + pairing::format_rfc3339(at) + " lies in " +
                                             month + ", a month closed since " +
                                             pairing::format_rfc3339(closes_at) +
                                             "; a closed month is never rewritten");
    }
    return {};
}

}  // namespace

Result<std::int64_t> parse_instant(std::string_view text, const TimeZone& tz,
                                   std::string_view what) {
    if (auto t = pairing::parse_rfc3339(text)) {
        return *t;
    }
    if (auto t = tz.day_start(text)) {
        return *t;
    }
    return make_error("bad_request", std::string(what) + " '" + std::string(text) +
                                         "' is neither YYYY-MM-DD nor an RFC 3339 time");
}

Result<void> apply_tenant_policy(TenantSettings& t, const Options& o) {
    if (const auto* tz = get(o, "time-zone")) {
        if (auto loaded = TimeZone::load(*tz); !loaded) {
            return loaded.error();
        }
        t.time_zone = *tz;
    }
    if (const auto* by = get(o, "count-devices-by")) {
        if (*by != "activity" && *by != "signal") {
            return make_error("bad_request", "count-devices-by must be activity or signal");
        }
        t.count_devices_by = *by;
    }
    if (const auto* pkg = get(o, "default-package")) {
        if (pkg->empty() || pkg->size() > 64) {
            return make_error("bad_request", "default-package must be 1-64 characters");
        }
        t.default_package = *pkg;
    }
    if (const auto* hours = get(o, "grace-hours")) {
        std::int64_t h = 0;
        const auto [end, ec] = std::from_chars(hours->data(), hours->data() + hours->size(), h);
        if (ec != std::errc() || end != hours->data() + hours->size() || h < 0 || h > 24 * 60) {
            return make_error("bad_request", "grace-hours must be a whole number from 0 to 1440");
        }
        t.grace_hours = h;
    }
    if (const auto* when = get(o, "trial-end")) {
        auto tz = TimeZone::load(t.time_zone);
        if (!tz) {
            return tz.error();
        }
        auto at = parse_instant(*when, *tz, "trial-end");
        if (!at) {
            return at.error();
        }
        t.trial_end = *at;
    }
    return {};
}

Result<void> change_tenant_status(TenantSettings& t, std::string_view status_text, const Options& o,
                                  std::int64_t now) {
    const auto status = domain::parse_tenant_status(status_text);
    if (!status) {
        return make_error("bad_request", "status must be active, inactive or in_trial");
    }
    auto tz = TimeZone::load(t.time_zone);
    if (!tz) {
        return tz.error();
    }
    std::int64_t at = now;
    if (const auto* when = get(o, "at")) {
        auto parsed = parse_instant(*when, *tz, "at");
        if (!parsed) {
            return parsed.error();
        }
        if (auto closed = refuse_closed_month(t, *tz, *parsed, now); !closed) {
            return closed;
        }
        at = *parsed;
    }
    const auto inactive = domain::to_string(domain::TenantStatus::inactive);
    if (*status == domain::TenantStatus::inactive) {
        if (t.status != inactive) {
            t.inactive_since = at;
        }
        t.status = inactive;
        return {};
    }
    if (t.status == inactive && t.inactive_since && *t.inactive_since < at) {
        // Rule 5: the span stays unbilled after reactivation, whenever its heartbeats arrive.
        t.inactive_spans.push_back({*t.inactive_since, at});
    }
    t.status = domain::to_string(domain::TenantStatus::active);
    t.inactive_since.reset();
    if (*status == domain::TenantStatus::in_trial) {
        if (auto r = apply_tenant_policy(t, o); !r) {
            return r;
        }
        if (!t.trial_end || *t.trial_end <= now) {
            return make_error("bad_request", "in_trial needs a trial-end in the future");
        }
    } else if (t.trial_end && *t.trial_end > at) {
        t.trial_end = at;  // the trial ends now: active from here on
    }
    return {};
}

}  // namespace tally::server::billing
