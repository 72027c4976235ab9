// A customer's month for the console (see console_month.h).

#include "server/application/console_month.h"

#include <cstdio>

#include "pairing/time_format.h"

namespace tally::server::application {
namespace {

using Dev = const DeviceReportRow*;
using Usr = const billing::UserBilling*;

bool less_device(std::string_view key, Dev a, Dev b) {
    const auto& fa = a->usage.device.facts;
    const auto& fb = b->usage.device.facts;
    const auto tie = [&](auto x, auto y) {
        return x != y                       ? x < y
               : fa.hostname != fb.hostname ? fa.hostname < fb.hostname
                                            : a->usage.device.id < b->usage.device.id;
    };
    if (key == "type")
        return tie(fa.device_type, fb.device_type);
    if (key == "role")
        return tie(fa.role, fb.role);
    if (key == "billed_as")
        return tie(to_string(a->billing.billed_as), to_string(b->billing.billed_as));
    if (key == "package")
        return tie(a->billing.package, b->billing.package);
    if (key == "active_days")
        return tie(a->billing.active_days, b->billing.active_days);
    if (key == "active_minutes")
        return tie(a->billing.active_minutes, b->billing.active_minutes);
    if (key == "last_seen")
        return tie(a->billing.last_seen.value_or(0), b->billing.last_seen.value_or(0));
    return tie(0, 0);  // hostname
}

bool less_user(std::string_view key, Usr a, Usr b) {
    const auto tie = [&](auto x, auto y) {
        return x != y                         ? x < y
               : a->principal != b->principal ? a->principal < b->principal
                                              : a->key < b->key;
    };
    if (key == "group")
        return tie(a->group, b->group);
    if (key == "package")
        return tie(a->package, b->package);
    if (key == "active_days")
        return tie(a->active_days, b->active_days);
    if (key == "active_minutes")
        return tie(a->active_minutes, b->active_minutes);
    if (key == "last_seen")
        return tie(a->last_seen, b->last_seen);
    return tie(0, 0);  // principal
}

Result<std::vector<MonthUnits>> trend(Store& store, ReportCache& cache, std::string_view tenant,
                                      std::string_view month, std::int64_t now) {
    std::vector<MonthUnits> out;
    for (int back = 11; back >= 0; --back) {
        const auto m = shift_month(month, -back);
        auto totals = cache.totals(store, tenant, m, now);
        if (!totals) {
            return totals.error();
        }
        out.push_back({m, totals->billable_units});
    }
    return out;
}

}  // namespace

Result<std::shared_ptr<const UsageReport>> ReportCache::report(Store& store,
                                                               std::string_view tenant,
                                                               std::string_view month,
                                                               std::int64_t now) {
    const Key key{std::string(tenant), std::string(month)};
    {
        std::lock_guard lock(mutex_);
        const auto it = reports_.find(key);
        if (it != reports_.end() && fresh(false, it->second.made_at, now)) {
            return it->second.report;
        }
    }
    auto built = build_usage_report(store, tenant, month, now);
    if (!built) {
        return built.error();
    }
    auto shared = std::make_shared<const UsageReport>(std::move(*built));
    std::lock_guard lock(mutex_);
    totals_[key] = {
        {shared->summary.billable_units, shared->summary.packages}, shared->summary.closed, now};
    if (reports_.size() >= max_reports_ && !reports_.contains(key)) {
        auto oldest = reports_.begin();
        for (auto it = reports_.begin(); it != reports_.end(); ++it) {
            if (it->second.made_at < oldest->second.made_at) {
                oldest = it;
            }
        }
        reports_.erase(oldest);
    }
    reports_[key] = {shared, now};
    return shared;
}

Result<ReportCache::Totals> ReportCache::totals(Store& store, std::string_view tenant,
                                                std::string_view month, std::int64_t now) {
    {
        std::lock_guard lock(mutex_);
        const auto it = totals_.find(Key{std::string(tenant), std::string(month)});
        if (it != totals_.end() && fresh(it->second.closed, it->second.made_at, now)) {
            return it->second.totals;
        }
    }
    if (const auto ym = parse_month(month)) {
        auto active = store.console_month_active(tenant, ym->first * 100 + ym->second);
        if (!active) {
            return active.error();
        }
        if (!*active) {
            return Totals{};  // not kept: a heartbeat may arrive any time
        }
    }
    auto built = report(store, tenant, month, now);
    if (!built) {
        return built.error();
    }
    return Totals{(*built)->summary.billable_units, (*built)->summary.packages};
}

Result<std::vector<ConsoleDay>> ReportCache::days(Store& store, const UsageReport& report,
                                                  std::int64_t now) {
    const Key key{report.tenant, report.month};
    {
        std::lock_guard lock(mutex_);
        const auto it = days_.find(key);
        if (it != days_.end() && fresh(false, it->second.made_at, now)) {
            return it->second.days;
        }
    }
    const auto ym = parse_month(report.month);
    if (!ym) {
        return make_error("internal", "report month '" + report.month + "' is not YYYY-MM");
    }
    auto days = store.console_days(report.tenant, ym->first * 100 + ym->second,
                                   days_in_month(ym->first, ym->second));
    if (!days) {
        return days.error();
    }
    std::lock_guard lock(mutex_);
    if (days_.size() >= 64) {
        days_.clear();  // small entries; a bound, not an eviction policy
    }
    days_[key] = {*days, now};
    return days;
}

const std::vector<std::string_view>& device_sorts() {
    static const std::vector<std::string_view> keys = {"hostname",       "type",     "role",
                                                       "billed_as",      "package",  "active_days",
                                                       "active_minutes", "last_seen"};
    return keys;
}

const std::vector<std::string_view>& user_sorts() {
    static const std::vector<std::string_view> keys = {
        "principal", "group", "package", "active_days", "active_minutes", "last_seen"};
    return keys;
}

Result<ConsoleMonth> console_month(Store& store, ReportCache& cache, std::string_view tenant,
                                   std::string_view month, const TableQuery& devices,
                                   const TableQuery& users, std::int64_t now) {
    ConsoleMonth out;
    auto report = cache.report(store, tenant, month, now);
    if (!report) {
        return report.error();
    }
    out.report = *report;
    const auto& r = *out.report;
    for (const auto& d : r.devices) {
        out.devices.push_back(&d);
    }
    out.devices_page = page_rows(
        out.devices, devices,
        [&](Dev d) {
            return contains_folded(d->usage.device.facts.hostname, devices.search) ||
                   contains_folded(d->usage.device.id, devices.search) ||
                   contains_folded(d->billing.paired_user, devices.search);
        },
        [&](Dev a, Dev b) { return less_device(devices.sort, a, b); });
    for (const auto& u : r.users) {
        out.users.push_back(&u);
    }
    out.users_page = page_rows(
        out.users, users,
        [&](Usr u) {
            return contains_folded(u->principal, users.search) ||
                   contains_folded(u->group, users.search);
        },
        [&](Usr a, Usr b) { return less_user(users.sort, a, b); });
    auto days = cache.days(store, r, now);
    if (!days) {
        return days.error();
    }
    out.days = std::move(*days);
    auto t = trend(store, cache, tenant, r.month, now);
    if (!t) {
        return t.error();
    }
    out.trend = std::move(*t);
    return out;
}

std::optional<std::pair<int, unsigned>> parse_month(std::string_view month) {
    if (month.size() != 7 || month[4] != '-') {
        return std::nullopt;
    }
    int year = 0;
    unsigned mon = 0;
    for (std::size_t i = 0; i < 7; ++i) {
        if (i == 4)
            continue;
        if (month[i] < '0' || month[i] > '9')
            return std::nullopt;
        if (i < 4) {
            year = year * 10 + (month[i] - '0');
        } else {
            mon = mon * 10 + static_cast<unsigned>(month[i] - '0');
        }
    }
    if (mon < 1 || mon > 12) {
        return std::nullopt;
    }
    return std::pair{year, mon};
}

std::string shift_month(std::string_view month, int delta) {
    const auto ym = parse_month(month).value_or(std::pair{1970, 1u});
    const int index = ym.first * 12 + static_cast<int>(ym.second) - 1 + delta;
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d", index / 12, index % 12 + 1);
    return buf;
}

unsigned days_in_month(int year, unsigned month) {
    const auto next = month == 12 ? pairing::days_from_civil(year + 1, 1, 1)
                                  : pairing::days_from_civil(year, month + 1, 1);
    return static_cast<unsigned>(next - pairing::days_from_civil(year, month, 1));
}

}  // namespace tally::server::application
