// Device and user pages (see detail_page.h).

#include "server/ui/detail_page.h"

#include <utility>
#include <vector>

#include "server/ui/html.h"
#include "server/ui/local_time.h"
#include "server/ui/svg_chart.h"

namespace tally::server::ui {
namespace {

using Rows = std::vector<std::pair<std::string, std::string>>;  // heading, escaped HTML

std::string facts_table(const char* id, const Rows& rows) {
    std::string out =
        "<div class=\"scroll\"><table class=\"summary\" id=\"" + std::string(id) + "\"><tbody>";
    for (const auto& [heading, value] : rows) {
        out += "<tr><th scope=\"row\">" + html_escape(heading) + "</th><td>" + value + "</td></tr>";
    }
    return out + "</tbody></table></div>";
}

std::string when(const billing::TimeZone& zone, const std::optional<std::int64_t>& t) {
    return t ? html_escape(local_time(zone, *t)) : std::string("—");
}

std::string back_links(const application::KeptReport& report) {
    const auto query =
        "?tenant=" + url_encode(report.tenant) + "&month=" + url_encode(report.month);
    return "<nav class=\"downloads\"><a id=\"back\" href=\"" + html_escape("/ui/report" + query) +
           "\">Back to " + html_escape(report.tenant) + " in " + html_escape(report.month) +
           "</a></nav><p class=\"muted\" id=\"zone\">Times are in the tenant's time zone, "
           "<strong>" +
           html_escape(report.summary.time_zone) + "</strong>.</p>";
}

std::string lifecycle(const Device& d) {
    if (d.retired_at) {
        return "retired";
    }
    return d.suspected_clone ? "suspected clone" : "active";
}

std::string device_chart(const application::ConsoleDevicePage& p) {
    std::vector<std::string> labels;
    std::vector<std::int64_t> minutes(p.days_in_month, 0);
    for (unsigned d = 1; d <= p.days_in_month; ++d) {
        labels.push_back(std::to_string(d));
    }
    for (const auto& day : p.days) {
        const auto i = day.day - p.first_day;
        if (i >= 0 && i < static_cast<std::int64_t>(minutes.size())) {
            minutes[static_cast<std::size_t>(i)] = day.active_minutes;
        }
    }
    return bar_chart("device-days", "Active minutes per day of " + p.report->month, labels,
                     {{"active minutes", "s1", minutes}}, 2);
}

std::string events_table(const application::ConsoleDevicePage& p, const billing::TimeZone& zone) {
    std::string out =
        "<h2>Events that changed its billing</h2><div class=\"scroll\"><table id=\"events\">"
        "<thead><tr><th scope=\"col\">When</th><th scope=\"col\">What</th></tr></thead><tbody>";
    for (const auto& e : p.events) {
        out += "<tr><td data-field=\"at\">" + html_escape(local_time(zone, e.at)) +
               "</td><td data-field=\"what\">" + html_escape(e.what) + "</td></tr>";
    }
    if (p.device.suspected_clone) {
        out +=
            "<tr><td data-field=\"at\">—</td><td data-field=\"what\">marked as a suspected "
            "clone (two machines report with one key)</td></tr>";
    }
    return out + "</tbody></table></div>";
}

}  // namespace

std::string device_page(const PageHeader& header, const application::ConsoleDevicePage& p,
                        const billing::TimeZone& zone) {
    const auto& d = p.device;
    std::string body = "<h2 id=\"title\">Device " + html_escape(d.facts.hostname) + "</h2>";
    body += back_links(*p.report);
    const auto& row = p.row;
    Rows rows = {
        {"Billed as", row ? html_escape(to_string(row->billing.billed_as)) : "not in this month"},
        {"Why", row ? html_escape(row->explanation) : "—"},
        {"Package", row ? html_escape(row->billing.package) : "—"},
        {"Paired user", row ? html_escape(row->billing.paired_user) : "—"},
        {"Paired by", row ? html_escape(row->billing.paired_by) : "—"},
        {"Active days", row ? std::to_string(row->billing.active_days) : "0"},
        {"Active minutes", row ? std::to_string(row->billing.active_minutes) : "0"},
        {"Type", html_escape(d.facts.device_type)},
        {"Role", html_escape(d.facts.role)},
        {"Lifecycle", html_escape(lifecycle(d))},
        {"Paired (enrolled)", when(zone, d.paired_at)},
        {"Last seen", when(zone, d.last_seen)},
        {"Retired", when(zone, d.retired_at)},
        {"OS", html_escape(d.facts.os + " " + d.facts.os_version)},
        {"Agent", html_escape(d.facts.agent_version)},
        {"Device id", "<code>" + html_escape(d.id) + "</code>"},
    };
    body += facts_table("device", rows);
    body += device_chart(p);
    body += events_table(p, zone);
    return page("Device " + d.facts.hostname, body, header);
}

std::string user_page(const PageHeader& header, const application::ConsoleUserPage& p,
                      const billing::TimeZone& zone) {
    const auto& u = *p.user;
    std::string body = "<h2 id=\"title\">User " + html_escape(u.principal) + "</h2>";
    body += back_links(*p.report);
    std::string paired;
    for (const auto& hostname : p.paired) {
        paired += (paired.empty() ? "" : ", ") + html_escape(hostname);
    }
    body += facts_table("user", {{"Package (billed as one user)", html_escape(u.package)},
                                 {"Group", html_escape(u.group.empty() ? "—" : u.group)},
                                 {"Local account", u.local ? "yes" : "no"},
                                 {"Active days", std::to_string(u.active_days)},
                                 {"Active minutes", std::to_string(u.active_minutes)},
                                 {"First seen", when(zone, u.first_seen)},
                                 {"Last seen", when(zone, u.last_seen)},
                                 {"Devices paired with it", paired.empty() ? "—" : paired}});
    std::vector<std::string> labels;
    std::vector<std::int64_t> devices(p.days_in_month, 0);
    std::vector<std::int64_t> minutes(p.days_in_month, 0);
    for (unsigned d = 1; d <= p.days_in_month; ++d) {
        labels.push_back(std::to_string(d));
        for (const auto& row : p.devices) {
            devices[d - 1] += (row.day_mask >> (d - 1)) & 1;
        }
    }
    for (const auto& day : p.days) {
        const auto i = day.day - p.first_day;
        if (i >= 0 && i < static_cast<std::int64_t>(minutes.size())) {
            minutes[static_cast<std::size_t>(i)] = day.active_minutes;
        }
    }
    body += "<div class=\"charts\">" +
            bar_chart("user-minutes", "Active minutes per day of " + p.report->month, labels,
                      {{"active minutes", "s1", minutes}}, 2) +
            bar_chart("user-days", "Devices used per day of " + p.report->month, labels,
                      {{"devices", "s2", devices}}, 2) +
            "</div>";
    body +=
        "<h2>Devices used</h2><div class=\"scroll\"><table id=\"user-devices\"><thead><tr>"
        "<th scope=\"col\">Hostname</th><th scope=\"col\">Active minutes</th></tr></thead>"
        "<tbody>";
    for (std::size_t i = 0; i < p.devices.size(); ++i) {
        const auto href = "/ui/device?tenant=" + url_encode(p.report->tenant) +
                          "&month=" + url_encode(p.report->month) +
                          "&id=" + url_encode(p.devices[i].device_id);
        body += "<tr><td data-field=\"hostname\"><a href=\"" + html_escape(href) + "\">" +
                html_escape(p.hostnames[i].empty() ? p.devices[i].device_id : p.hostnames[i]) +
                "</a></td><td class=\"n\" data-field=\"active_minutes\">" +
                std::to_string(p.devices[i].active_minutes) + "</td></tr>";
    }
    body += "</tbody></table></div>";
    return page("User " + u.principal, body, header);
}

}  // namespace tally::server::ui
