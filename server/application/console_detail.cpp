// The console's device and user pages (see console_detail.h).

#include "server/application/console_detail.h"

#include <algorithm>
#include <unordered_map>

#include "pairing/time_format.h"

namespace tally::server::application {
namespace {

Result<std::pair<int, unsigned>> month_of(const KeptReport& report) {
    const auto ym = parse_month(report.month);
    if (!ym) {
        return make_error("internal", "report month '" + report.month + "' is not YYYY-MM");
    }
    return *ym;
}

}  // namespace

Result<ConsoleDevicePage> console_device(Store& store, ReportCache& cache, std::string_view tenant,
                                         std::string_view month, std::string_view device_id,
                                         std::int64_t now) {
    if (!parse_month(month)) {
        return make_error("bad_request", "Parameter month: must be YYYY-MM.");
    }
    auto device = store.find_device(device_id);
    if (!device) {
        return device.error();
    }
    if (!*device || (*device)->tenant != tenant) {
        // The same answer for another tenant's device: its existence is not told.
        return make_error("not_found", "Tenant '" + std::string(tenant) + "' has no device '" +
                                           std::string(device_id) + "'.");
    }
    ConsoleDevicePage out;
    out.device = std::move(**device);
    auto report = cache.report(tenant, month, now);
    if (!report) {
        return report.error();
    }
    if (!*report) {
        out.pending_since = cache.pending_since(tenant, month).value_or(now);
        return out;
    }
    out.report = *report;
    for (const auto& d : out.report->devices) {
        if (d.id == out.device.id) {
            out.row = out.report->expand(d);
            break;
        }
    }
    auto ym = month_of(*out.report);
    if (!ym) {
        return ym.error();
    }
    out.first_day = pairing::days_from_civil(ym->first, ym->second, 1);
    out.days_in_month = days_in_month(ym->first, ym->second);
    auto days = store.console_device_days(out.device.id, out.first_day,
                                          out.first_day + out.days_in_month - 1);
    if (!days) {
        return days.error();
    }
    out.days = std::move(*days);
    auto events = store.console_device_events(out.device.id);
    if (!events) {
        return events.error();
    }
    out.events = std::move(*events);
    return out;
}

Result<ConsoleUserPage> console_user(Store& store, ReportCache& cache, std::string_view tenant,
                                     std::string_view month, std::string_view key,
                                     std::int64_t now) {
    ConsoleUserPage out;
    if (!parse_month(month)) {
        return make_error("bad_request", "Parameter month: must be YYYY-MM.");
    }
    auto report = cache.report(tenant, month, now);
    if (!report) {
        return report.error();
    }
    if (!*report) {
        out.pending_since = cache.pending_since(tenant, month).value_or(now);
        return out;
    }
    out.report = *report;
    for (const auto& u : out.report->users) {
        if (u.key == key) {
            out.user = &u;
            break;
        }
    }
    if (!out.user) {
        return make_error("not_found", "No active user '" + std::string(key) + "' in tenant '" +
                                           std::string(tenant) + "' in " + out.report->month + ".");
    }
    auto ym = month_of(*out.report);
    if (!ym) {
        return ym.error();
    }
    out.first_day = pairing::days_from_civil(ym->first, ym->second, 1);
    out.days_in_month = days_in_month(ym->first, ym->second);
    auto days = store.console_user_days(out.user->principal, out.user->local, out.user->devices,
                                        out.first_day, out.first_day + out.days_in_month - 1);
    if (!days) {
        return days.error();
    }
    out.days = std::move(*days);
    auto rows = store.console_user_month(tenant, ym->first * 100 + ym->second, out.user->principal,
                                         out.user->devices);
    if (!rows) {
        return rows.error();
    }
    out.devices = std::move(*rows);
    out.hostnames.resize(out.devices.size());
    // One pass over the month's devices: the user's few are looked up by id.
    std::unordered_map<std::string_view, std::size_t> used;
    for (std::size_t i = 0; i < out.devices.size(); ++i) {
        used.emplace(out.devices[i].device_id, i);
    }
    const auto& paired = out.user->devices_paired;
    for (const auto& d : out.report->devices) {
        if (const auto it = used.find(d.id); it != used.end()) {
            out.hostnames[it->second] = d.hostname;
        }
        if (std::find(paired.begin(), paired.end(), d.id) != paired.end()) {
            out.paired.push_back(d.hostname);
        }
    }
    return out;
}

}  // namespace tally::server::application
