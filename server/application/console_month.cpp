// A customer's month for the console (see console_month.h).

#include "server/application/console_month.h"

#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>

#include "pairing/time_format.h"
#include "server/billing/time_zone.h"

namespace tally::server::application {
namespace {

using Dev = const KeptDevice*;
using Usr = const billing::UserBilling*;

bool less_device(const KeptReport& r, std::string_view key, Dev a, Dev b) {
    const auto tie = [&](auto x, auto y) {
        return x != y                       ? x < y
               : a->hostname != b->hostname ? a->hostname < b->hostname
                                            : a->id < b->id;
    };
    if (key == "type")
        return tie(r.word(a->type), r.word(b->type));
    if (key == "role")
        return tie(r.word(a->role), r.word(b->role));
    if (key == "billed_as")
        return tie(to_string(a->billed_as), to_string(b->billed_as));
    if (key == "package")
        return tie(r.word(a->package), r.word(b->package));
    if (key == "active_days")
        return tie(a->billing_days, b->billing_days);
    if (key == "active_minutes")
        return tie(a->billing_minutes, b->billing_minutes);
    if (key == "last_seen")
        return tie(a->billing_last_seen.value_or(0), b->billing_last_seen.value_or(0));
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

//! The 12 months ending with `month`: kept totals at once, the others asked for in the
//! background and marked pending (the chart never waits for 11 runs of the engine).
Result<std::vector<MonthUnits>> trend(ReportCache& cache, std::string_view tenant,
                                      std::string_view month, std::int64_t now) {
    std::vector<MonthUnits> out;
    for (int back = 11; back >= 0; --back) {
        const auto m = shift_month(month, -back);
        auto totals = cache.totals(tenant, m, now, std::chrono::steady_clock::now());
        if (!totals) {
            return totals.error();
        }
        out.push_back({m, *totals ? (*totals)->billable_units : 0, !*totals});
    }
    return out;
}

}  // namespace

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

Result<ConsoleMonth> console_month(ReportCache& cache, std::string_view tenant,
                                   std::string_view month, const TableQuery& devices,
                                   const TableQuery& users, std::int64_t now) {
    if (!parse_month(month)) {
        return make_error("bad_request", "Parameter month: must be YYYY-MM.");
    }
    ConsoleMonth out;
    auto report = cache.report(tenant, month, now);
    if (!report) {
        return report.error();
    }
    if (!*report) {
        out.pending_since = cache.pending_since(tenant, month).value_or(now);
        return out;
    }
    out.report = *report;
    const auto& r = *out.report;
    std::vector<Dev> page;
    page.reserve(r.devices.size());
    for (const auto& d : r.devices) {
        page.push_back(&d);
    }
    out.devices_page = page_rows(
        page, devices,
        [&](Dev d) {
            return contains_folded(d->hostname, devices.search) ||
                   contains_folded(d->id, devices.search) ||
                   contains_folded(d->paired_user, devices.search);
        },
        [&](Dev a, Dev b) { return less_device(r, devices.sort, a, b); });
    for (const auto* d : page) {
        out.devices.push_back(r.expand(*d));
    }
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
    auto days = cache.days(r, now);
    if (!days) {
        return days.error();
    }
    out.days = std::move(*days);
    auto t = trend(cache, tenant, r.month, now);
    if (!t) {
        return t.error();
    }
    out.trend = std::move(*t);
    return out;
}

Result<std::string> local_month(std::string_view zone, std::int64_t now) {
    static std::mutex mutex;
    static std::map<std::string, billing::TimeZone, std::less<>> zones;
    std::lock_guard lock(mutex);
    auto it = zones.find(zone);
    if (it == zones.end()) {
        auto loaded = billing::TimeZone::load(zone);
        if (!loaded) {
            return loaded.error();
        }
        it = zones.emplace(std::string(zone), std::move(*loaded)).first;
    }
    return pairing::format_rfc3339(now + it->second.offset_at(now)).substr(0, 7);
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
