// Usage report builder (see usage_report.h).

#include "server/report/usage_report.h"

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/billing/tenant_status.h"
#include "server/billing/time_zone.h"
#include "server/billing/user_key.h"
#include "server/report/free_memory.h"
#include "server/report/month_close.h"
#include "server/report/open_month_rows.h"

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
                late.users.emplace_back(facts.principal(u));
            }
        }
        report.late.push_back(std::move(late));
    }
    s.late_adjustments = 0;
    for (const auto& l : report.late) {
        s.late_adjustments += l.heartbeats;
    }
}

//! The tenant's past inactive spans in [from, to) (never billed).
std::vector<billing::TimeSpan> past_inactive_spans(const TenantSettings& settings,
                                                   std::int64_t from, std::int64_t to) {
    std::vector<billing::TimeSpan> out;
    for (const auto& span : billing::inactive_spans_in(settings, from, to)) {
        out.push_back({span.since, span.until});
    }
    return out;
}

//! The summary's inactive spans: the past ones and a current inactivation up to the month's
//! end.
void set_inactive_spans(const TenantSettings& settings, UsageSummary& s) {
    s.inactive_spans = past_inactive_spans(settings, s.month_start, s.month_end);
    if (s.inactive_since && *s.inactive_since < s.month_end) {
        s.inactive_spans.push_back({std::max(s.month_start, *s.inactive_since), s.month_end});
    }
}

//! Whether the billed part needs a second evaluation (the heartbeats read again): something
//! is billed, and it is not the whole month, or the month is closed (late units).
bool bills_apart(const TenantSettings& settings, const UsageSummary& s) {
    const auto window = billing::billable_window(settings, s.month_start, s.month_end);
    if (!window) {
        return false;
    }
    const bool whole_month = window->first == s.month_start && window->second == s.month_end &&
                             past_inactive_spans(settings, s.month_start, s.month_end).empty();
    return !whole_month || s.closed;
}

//! The billed part of the summary; `month_outcome` is the month's
//! evaluation over `period`.
void fill_billed(const BillingFacts& facts, const billing::TimeZone& tz,
                 const TenantSettings& settings, const billing::Period& period,
                 const billing::CompactOutcome& month_outcome, billing::PhaseEnd phase_end,
                 UsageSummary& s) {
    const auto from = s.month_start;
    const auto to = s.month_end;
    // The billed part: the same rules over the heartbeats outside the trial, before a current
    // inactivation and outside past inactive spans (pairing and membership are still judged
    // at the month's end).
    const auto window = billing::billable_window(settings, from, to);
    const auto not_billed = past_inactive_spans(settings, from, to);
    const auto billed_units = [&](const billing::Period& p) {
        auto copy = p;
        copy.from = window->first;
        copy.to = window->second;
        copy.not_billed = not_billed;
        return billing::evaluate_compact(facts, tz, copy, phase_end);
    };
    if (window) {
        s.billable_from = window->first;
        s.billable_to = window->second;
        // Billed over the whole month (no trial, never inactive): the month's evaluation is
        // the billed one (evaluate is a pure function of the same facts and period).
        const bool whole_month =
            window->first == from && window->second == to && not_billed.empty();
        const auto billed = whole_month ? billing::CompactOutcome{} : billed_units(period);
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

//! Drops the entries of the devices without evidence (all zero): at 100,000 devices a map
//! entry each is ~12 MB, which the engine's allocations can then reuse.
void drop_empty_evidence(std::unordered_map<std::string, DeviceEvidence>& by_id) {
    const DeviceEvidence none;
    std::erase_if(by_id, [&](const auto& entry) {
        const auto& e = entry.second;
        return e.gap_seqs == none.gap_seqs && e.lost_by_server == none.lost_by_server &&
               e.forks == none.forks && e.chain_breaks == none.chain_breaks &&
               e.held == none.held && e.revoked == none.revoked &&
               e.trust_on_first_use == none.trust_on_first_use;
    });
}

//! Each device's evidence by its position in `devices` (the store gives them by device id; a
//! device without an entry has none).
std::vector<DeviceEvidence> evidence_by_position(
    const std::vector<BillingDevice>& devices,
    std::unordered_map<std::string, DeviceEvidence>& by_id) {
    std::vector<DeviceEvidence> out(devices.size());
    if (!by_id.empty()) {
        for (std::size_t i = 0; i < devices.size(); ++i) {
            if (const auto it = by_id.find(devices[i].id); it != by_id.end()) {
                out[i] = it->second;
            }
        }
    }
    std::unordered_map<std::string, DeviceEvidence>().swap(by_id);
    return out;
}

//! How much of each device the rows keep.
enum class DeviceDetail { kWhole, kWritten };

//! The month's report from the rollups: `report` gets its head (summary, late adjustments),
//! the returned rows its device and user rows.
Result<std::unique_ptr<OpenMonthRows>> compute_report(Store& store, std::string_view tenant,
                                                      std::string_view month, std::int64_t now,
                                                      FactGrain grain, DeviceDetail detail,
                                                      UsageReport& report);

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

namespace {

//! The month in the tenant's zone and the period the engine judges it over.
struct MonthPlan {
    TenantSettings settings;
    billing::TimeZone tz;
    billing::Period period;
    std::int64_t closes_at = 0;
};

Result<MonthPlan> plan_month(Store& store, std::string_view tenant, std::string_view month,
                             std::int64_t now) {
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
    return MonthPlan{std::move(*settings), std::move(*tz), std::move(period), closes_at};
}

//! The summary's fields that come from the tenant and the month, not from the engine.
void start_summary(const MonthPlan& plan, std::int64_t now, UsageSummary& s) {
    const auto& settings = plan.settings;
    s.tenant_status = billing::effective_status(settings, now);
    s.trial_end = settings.trial_end;
    s.trial = settings.trial_end && *settings.trial_end > plan.period.from;
    s.inactive_since = settings.status == "inactive" ? settings.inactive_since : std::nullopt;
    s.time_zone = plan.tz.name();
    s.month_start = plan.period.from;
    s.month_end = plan.period.to;
    s.closes_at = plan.closes_at;
    s.closed = now >= s.closes_at;
}

Result<std::unique_ptr<OpenMonthRows>> compute_report(Store& store, std::string_view tenant,
                                                      std::string_view month, std::int64_t now,
                                                      FactGrain grain, DeviceDetail detail,
                                                      UsageReport& report) {
    auto plan = plan_month(store, tenant, month, now);
    if (!plan) {
        return plan.error();
    }
    const auto& period = plan->period;
    // One snapshot: the facts and every device's evidence, with set-based queries. Facts
    // before both the month and the primary user's trailing window change nothing.
    MonthWindow window;
    window.from = period.from;
    window.to = period.to;
    window.read_from =
        std::max(period.from - billing::kPrimaryWindowSeconds,
                 std::min(period.from, period.as_of - billing::kPrimaryWindowSeconds));
    window.as_of = period.as_of;
    window.received_before = period.received_before;
    window.coarse = grain == FactGrain::kMonth;
    window.written_devices_only = detail == DeviceDetail::kWritten;
    auto snapshot = store.month_report_facts(tenant, window);
    if (!snapshot) {
        return snapshot.error();
    }
    auto& facts = snapshot->facts;
    if (facts.devices.size() >= kGiveBackFromDevices) {
        give_back_free_memory();  // the read's freed buffers, before the engine's peak
    }
    OpenMonthParts parts;
    drop_empty_evidence(snapshot->evidence);  // by position after the engine (its peak)

    report.tenant = std::string(tenant);
    report.month = std::string(month);
    report.generated_at = now;
    auto& s = report.summary;
    start_summary(*plan, now, s);
    set_inactive_spans(plan->settings, s);
    if (s.closed) {
        list_late(facts, period.from, period.to, report);
    }
    parts.inactive_beats = count_inactive_beats(facts, s);

    // Unless the billed part is evaluated apart, the heartbeats are read no more once the
    // engine has added them up: it frees them before it makes the devices' answers. A large
    // report gives the engine's freed pages back between its phases (free_memory.h).
    const billing::PhaseEnd phase_end =
        facts.devices.size() >= kGiveBackFromDevices ? &give_back_free_memory : nullptr;
    auto month_outcome =
        bills_apart(plan->settings, s)
            ? billing::evaluate_compact(facts, plan->tz, period, phase_end)
            : billing::evaluate_compact_releasing(facts, plan->tz, period, phase_end);
    s.active_devices = month_outcome.active_devices;
    s.active_users = month_outcome.active_users;
    s.standalone_devices = month_outcome.standalone_devices;
    s.overflow_devices = month_outcome.overflow_devices;
    s.reported_units = month_outcome.billable_units;

    fill_billed(facts, plan->tz, plan->settings, period, month_outcome, phase_end, s);
    parts.evidence = evidence_by_position(facts.devices, snapshot->evidence);
    parts.devices = std::move(facts.devices);
    parts.whole = std::move(snapshot->whole_devices);  // kWhole: the snapshot keeps them
    parts.outcome = std::move(month_outcome);
    parts.month_end = period.to;
    snapshot->facts = BillingFacts{};  // read no more: free them before the rows are written
    return std::make_unique<OpenMonthRows>(std::move(parts));
}

}  // namespace

Result<UsageReport> build_usage_report_from_rollups(Store& store, std::string_view tenant,
                                                    std::string_view month, std::int64_t now,
                                                    FactGrain grain) {
    UsageReport report;
    auto rows = compute_report(store, tenant, month, now, grain, DeviceDetail::kWhole, report);
    if (!rows) {
        return rows.error();
    }
    report.devices = (*rows)->take_devices();
    report.users = (*rows)->take_users();
    return report;
}

Result<std::unique_ptr<ReportRows>> usage_rows_from_rollups(Store& store, std::string_view tenant,
                                                            std::string_view month,
                                                            std::int64_t now, UsageReport& head,
                                                            FactGrain grain) {
    auto rows = compute_report(store, tenant, month, now, grain, DeviceDetail::kWritten, head);
    if (!rows) {
        return rows.error();
    }
    return std::unique_ptr<ReportRows>(std::move(*rows));
}

}  // namespace tally::server
