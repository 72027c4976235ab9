// Usage report builder (see usage_report.h).

#include "server/report/usage_report.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/billing/tenant_status.h"
#include "server/billing/time_zone.h"
#include "server/billing/user_key.h"
#include "server/report/device_explanation.h"
#include "server/report/month_close.h"

namespace tally::server {

namespace {

//! A closed month's late heartbeats, one entry per late rollup bucket (one device hour; seq:
//! none), and their count in summary.late_adjustments.
void list_late(const BillingFacts& facts, std::int64_t from, std::int64_t to, UsageReport& report) {
    auto& s = report.summary;
    for (const auto& hb : facts.heartbeats) {
        if (hb.start < from || hb.start >= to || hb.received_at < s.closes_at) {
            continue;
        }
        const auto& dev = facts.devices[hb.device];
        LateHeartbeat late{dev.id,         dev.facts.hostname,       hb.start,
                           hb.received_at, hb.device_active_minutes, {},
                           hb.heartbeats};
        for (const auto& u : facts.users(hb)) {
            if (u.active_minutes > 0) {
                late.users.push_back(facts.principal(u));
            }
        }
        report.late.push_back(std::move(late));
    }
    s.late_adjustments = 0;
    for (const auto& l : report.late) {
        s.late_adjustments += l.heartbeats;
    }
}

//! The billed part of the summary and its inactive spans; `month_outcome` is the month's
//! evaluation over `period`.
void fill_billed(const BillingFacts& facts, const billing::TimeZone& tz,
                 const TenantSettings& settings, const billing::Period& period,
                 const billing::BillingOutcome& month_outcome, UsageSummary& s) {
    const auto from = s.month_start;
    const auto to = s.month_end;
    // The billed part: the same rules over the heartbeats outside the trial, before a current
    // inactivation and outside past inactive spans (pairing and membership are still judged
    // at the month's end).
    const auto window = billing::billable_window(settings, from, to);
    std::vector<billing::TimeSpan> not_billed;
    for (const auto& span : billing::inactive_spans_in(settings, from, to)) {
        not_billed.push_back({span.since, span.until});
    }
    s.inactive_spans = not_billed;
    if (s.inactive_since && *s.inactive_since < to) {
        s.inactive_spans.push_back({std::max(from, *s.inactive_since), to});
    }
    const auto billed_units = [&](const billing::Period& p) {
        auto copy = p;
        copy.from = window->first;
        copy.to = window->second;
        copy.not_billed = not_billed;
        return billing::evaluate(facts, tz, copy);
    };
    if (window) {
        s.billable_from = window->first;
        s.billable_to = window->second;
        // Billed over the whole month (no trial, never inactive): the month's evaluation is
        // the billed one (evaluate is a pure function of the same facts and period).
        const bool whole_month =
            window->first == from && window->second == to && not_billed.empty();
        const auto billed = whole_month ? billing::BillingOutcome{} : billed_units(period);
        const auto& billed_outcome = whole_month ? month_outcome : billed;
        s.billable_units = billed_outcome.billable_units;
        s.packages = billed_outcome.packages;
        if (s.closed) {
            auto all = period;
            all.received_before.reset();
            s.late_units_delta = billed_units(all).billable_units - s.billable_units;
        }
    }
}

//! Per device, the month's heartbeats that started while the tenant was inactive (their total
//! in s.inactive_span_heartbeats).
std::vector<std::int64_t> count_inactive_beats(const BillingFacts& facts, UsageSummary& s) {
    const auto from = s.month_start;
    const auto to = s.month_end;
    // Shown per device, never billed.
    std::vector<std::int64_t> inactive_beats(facts.devices.size(), 0);
    for (const auto& hb : facts.heartbeats) {
        const bool in_month = hb.start >= from && hb.start < to;
        if (in_month &&
            std::any_of(s.inactive_spans.begin(), s.inactive_spans.end(),
                        [&](const billing::TimeSpan& t) { return t.contains(hb.start); })) {
            inactive_beats[hb.device] += hb.heartbeats;
            s.inactive_span_heartbeats += hb.heartbeats;
        }
    }
    return inactive_beats;
}

//! The report's device rows; moves each listed device out of `facts` and its billing out of
//! `month_outcome`.
void list_devices(BillingFacts& facts,
                  const std::unordered_map<std::string, DeviceEvidence>& evidence,
                  billing::BillingOutcome& month_outcome,
                  const std::vector<std::int64_t>& inactive_beats, UsageReport& report) {
    const auto to = report.summary.month_end;
    report.devices.reserve(facts.devices.size());
    for (std::size_t i = 0; i < facts.devices.size(); ++i) {
        auto& dev = facts.devices[i];
        auto& b = month_outcome.devices[i];
        // Listed: paired before the month ended, or with heartbeats in it (a device can
        // upload heartbeats older than its pairing, e.g. after standalone mode).
        if (dev.paired_at >= to && b.heartbeats == 0) {
            continue;
        }
        DeviceReportRow row;
        row.usage.active_minutes = b.active_minutes;
        row.usage.active_days = b.active_days;
        row.usage.heartbeats = b.heartbeats;
        row.usage.users = b.users;
        if (const auto it = evidence.find(dev.id); it != evidence.end()) {
            row.usage.evidence = it->second;
        }
        row.active = b.active;
        row.inactive_span_heartbeats = inactive_beats[i];
        row.explanation = explain_device(b, inactive_beats[i]);
        row.billing = std::move(b);
        row.usage.device = std::move(dev);  // the facts are not read after this loop
        report.devices.push_back(std::move(row));
    }
}

}  // namespace

Result<UsageReport> build_usage_report(Store& store, std::string_view tenant,
                                       std::string_view month, std::int64_t now) {
    const auto closed = month_is_closed(store, tenant, month, now);
    if (!closed) {
        return closed.error();
    }
    if (*closed) {
        return closed_month_report(store, tenant, month, now);
    }
    return build_usage_report_from_rollups(store, tenant, month, now);
}

Result<UsageReport> build_usage_report_from_rollups(Store& store, std::string_view tenant,
                                                    std::string_view month, std::int64_t now,
                                                    FactGrain grain) {
    auto settings = store.tenant_settings(tenant);
    if (!settings) {
        return settings.error();
    }
    auto tz = billing::TimeZone::load(settings->time_zone);
    if (!tz) {
        return tz.error();
    }
    const auto range = tz->month_range(month);
    if (!range) {
        return make_error("bad_request",
                          "month '" + std::string(month) + "' is not of the form YYYY-MM");
    }
    const auto [from, to] = *range;
    const auto closes_at = to + settings->grace_hours * 3600;
    billing::Period period;
    period.from = from;
    period.to = to;
    period.month_end = to;
    period.as_of = std::min(to, now);
    if (now >= closes_at) {
        period.received_before = closes_at;
    }
    // One snapshot: the facts and every device's evidence, with set-based queries. Facts
    // before both the month and the primary user's trailing window change nothing.
    MonthWindow window;
    window.from = from;
    window.to = to;
    window.read_from = std::max(from - billing::kPrimaryWindowSeconds,
                                std::min(from, period.as_of - billing::kPrimaryWindowSeconds));
    window.as_of = period.as_of;
    window.received_before = period.received_before;
    window.coarse = grain == FactGrain::kMonth;
    auto snapshot = store.month_report_facts(tenant, window);
    if (!snapshot) {
        return snapshot.error();
    }
    auto* facts = &snapshot->facts;

    UsageReport report;
    report.tenant = std::string(tenant);
    report.month = std::string(month);
    report.generated_at = now;
    auto& s = report.summary;
    s.tenant_status = billing::effective_status(*settings, now);
    s.trial_end = settings->trial_end;
    s.trial = settings->trial_end && *settings->trial_end > from;
    s.inactive_since = settings->status == "inactive" ? settings->inactive_since : std::nullopt;
    s.time_zone = tz->name();
    s.month_start = from;
    s.month_end = to;
    s.closes_at = closes_at;
    s.closed = now >= s.closes_at;

    auto month_outcome = billing::evaluate(*facts, *tz, period);
    s.active_devices = month_outcome.active_devices;
    s.active_users = month_outcome.active_users;
    s.standalone_devices = month_outcome.standalone_devices;
    s.overflow_devices = month_outcome.overflow_devices;
    s.reported_units = month_outcome.billable_units;

    fill_billed(*facts, *tz, *settings, period, month_outcome, s);
    if (s.closed) {
        list_late(*facts, from, to, report);
    }
    auto inactive_beats = count_inactive_beats(*facts, s);
    // Read no more: free them early.
    std::vector<HeartbeatFact>().swap(facts->heartbeats);
    std::vector<HeartbeatUserFact>().swap(facts->heartbeat_users);
    std::vector<std::string>().swap(facts->principals);

    list_devices(*facts, snapshot->evidence, month_outcome, inactive_beats, report);
    report.users = std::move(month_outcome.users);
    return report;
}

}  // namespace tally::server
