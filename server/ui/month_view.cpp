// The customer's month page from the console use case (see month_view.h).

#include "server/ui/month_view.h"

#include <algorithm>

#include "server/report/usage_json.h"
#include "server/ui/svg_chart.h"

namespace tally::server::ui {
namespace {

std::string charts(const application::ConsoleMonth& m) {
    std::vector<std::string> days;
    std::vector<std::int64_t> users;
    std::vector<std::int64_t> devices;
    for (const auto& d : m.days) {
        days.push_back(std::to_string(d.day));
        users.push_back(d.active_users);
        devices.push_back(d.active_devices);
    }
    std::vector<std::string> months;
    std::vector<std::int64_t> units;
    std::string pending;
    for (const auto& t : m.trend) {
        months.push_back(t.month);
        units.push_back(t.billable_units);
        if (t.pending) {
            pending += (pending.empty() ? "" : ", ") + t.month;
        }
    }
    return "<h2>Activity</h2><div class=\"charts\">" +
           bar_chart("chart-days", "Active users and devices per day of " + m.report->month, days,
                     {{"active users", "s1", users}, {"active devices", "s2", devices}}, 2) +
           bar_chart("chart-months", "Billable units, last 12 months", months,
                     {{"billable units", "s1", units}}) +
           "</div>" +
           (pending.empty() ? std::string()
                            : "<p class=\"muted\" id=\"trend-pending\">Being computed, shown as 0 "
                              "for now: " +
                                  pending + ".</p>");
}

}  // namespace

std::string month_view(const PageHeader& header, const application::ConsoleMonth& month,
                       MonthParts parts) {
    const auto& whole = *month.report;
    // Only the page's rows go through JSON: a 100,000-device month is not serialised.
    // Late heartbeats (after an outage, thousands) are cut to a page too.
    constexpr std::size_t kLateRows = 100;
    UsageReport cut{whole.tenant, whole.month, whole.generated_at, whole.summary, {}, {}, {}};
    cut.late.assign(whole.late.begin(), whole.late.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                                 whole.late.size(), kLateRows)));
    cut.devices = month.devices;
    for (const auto* u : month.users) {
        cut.users.push_back(*u);
    }
    auto json = nlohmann::json::parse(usage_to_json(cut));
    auto& users = json["users"];
    for (std::size_t i = 0; i < users.size() && i < month.users.size(); ++i) {
        users[i]["key"] = month.users[i]->key;
    }
    parts.devices_page = month.devices_page;
    parts.users_page = month.users_page;
    parts.charts = charts(month);
    parts.late_total = static_cast<std::int64_t>(whole.late.size());
    return report_page(header, json, parts);
}

}  // namespace tally::server::ui
