// The customer's month page (see report_page.h).

#include "server/ui/report_page.h"

#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "server/ui/html.h"
#include "server/ui/local_time.h"
#include "server/ui/table_html.h"

namespace tally::server::ui {
namespace {

using nlohmann::json;

bool is_time_field(std::string_view name) {
    static const std::set<std::string_view> names = {
        "generated_at", "trial_end",   "inactive_since", "billable_from",
        "billable_to",  "month_start", "month_end",      "closes_at",
        "first_seen",   "last_seen",   "start",          "received_at"};
    return names.contains(name);
}

//! Cell text: times in the tenant's zone when the page has one.

std::function<std::string(const json&, const Column&)> cell_in(const std::optional<MonthParts>& p) {
    if (!p) {
        return {};
    }
    const auto* zone = &p->zone;
    return [zone](const json& v, const Column& c) {
        if (v.is_string() && is_time_field(c.field)) {
            return html_escape(local_time_text(*zone, v.get<std::string>()));
        }
        return cell_text(v);
    };
}

//! The month at a glance: the figures a customer asks first, as cards above everything.
std::string key_figures(const json& s) {
    const auto closed = field(s, "closed");
    const auto card = [&](const char* name, const char* label, const std::string& value) {
        return std::string("<div class=\"card\"><span class=\"label\">") + label +
               "</span><span class=\"value\" data-key=\"" + name + "\">" + value + "</span></div>";
    };
    return "<div class=\"cards\" id=\"key-figures\">" +
           card("billable_units", "Billable units", cell_text(field(s, "billable_units"))) +
           card("active_users", "Active users", cell_text(field(s, "active_users"))) +
           card("standalone_devices", "Standalone devices",
                cell_text(field(s, "standalone_devices"))) +
           card("trial", "Trial this month", cell_text(field(s, "trial"))) +
           card("closed", "Month",
                closed.is_boolean() ? (closed.get<bool>() ? "closed" : "open") : "—") +
           card("tenant_status", "Tenant", cell_text(field(s, "tenant_status"))) + "</div>";
}

std::string summary_table(const json& s, const std::optional<MonthParts>& parts) {
    static const std::vector<Column> rows = {
        {"billable_units", "Billable units"},
        {"reported_units", "Reported units (whole month)"},
        {"active_users", "Active users"},
        {"active_devices", "Active devices"},
        {"standalone_devices", "Standalone devices"},
        {"overflow_devices", "of which overflow"},
        {"tenant_status", "Tenant status"},
        {"trial", "Trial this month"},
        {"trial_end", "Trial end"},
        {"inactive_since", "Inactive since"},
        {"billable_from", "Billable from"},
        {"billable_to", "Billable to"},
        {"time_zone", "Time zone"},
        {"month_start", "Month start"},
        {"month_end", "Month end"},
        {"closes_at", "Month closes at"},
        {"closed", "Closed"},
        {"late_adjustments", "Late heartbeats"},
        {"late_units_delta", "Late units (not applied)"},
    };
    const auto text = cell_in(parts);
    std::string out =
        "<details class=\"all-figures\"><summary>All figures of the month</summary><div "
        "class=\"scroll\"><table class=\"summary\" id=\"summary\"><tbody>";
    for (const auto& c : rows) {
        const auto v = field(s, c.field);
        out += std::string("<tr><th scope=\"row\">") + c.heading + "</th>" +
               json_td(v, c.field, text ? text(v, c) : cell_text(v)) + "</tr>";
    }
    return out + "</tbody></table></div></details>";
}

TableOptions table_options(const std::optional<MonthParts>& parts, const char* prefix,
                           const application::TableQuery* q, const std::string& query) {
    TableOptions options;
    options.text = cell_in(parts);
    if (!parts) {
        return options;
    }
    const auto* link = &parts->link;
    options.heading = [link, prefix, q](const Column& c) {
        return sort_heading(*link, prefix, c.sort, c.heading, *q);
    };
    options.href = [query](const json& row, const Column& c) -> std::string {
        const std::string_view f = c.field;
        if (f == "hostname" && field(row, "device_id").is_string()) {
            return "/ui/device" + query + "&id=" + url_encode(row["device_id"].get<std::string>());
        }
        if (f == "principal" && field(row, "key").is_string()) {
            return "/ui/user" + query + "&key=" + url_encode(row["key"].get<std::string>());
        }
        return {};
    };
    return options;
}

std::string users_section(const json& report, const std::optional<MonthParts>& parts,
                          const std::string& query) {
    std::string out = "<h2 id=\"users-heading\">Users</h2>";
    if (parts) {
        out += parts->link.search_form("users-q", "users_q", "Search users", {"users_page"});
        out += pager(parts->link, "users_", "users-pager", parts->users_page);
    }
    out += json_table("users", field(report, "users"),
                      {{"principal", "Principal", "principal"},
                       {"local", "Local account"},
                       {"group", "Group", "group"},
                       {"package", "Package (why billed)", "package"},
                       {"devices_paired", "Devices paired"},
                       {"active_days", "Active days", "active_days"},
                       {"active_minutes", "Active minutes", "active_minutes"},
                       {"first_seen", "First seen"},
                       {"last_seen", "Last seen", "last_seen"},
                       {"devices", "Devices used"}},
                      table_options(parts, "users_", parts ? &parts->users : nullptr, query));
    return out;
}

std::string devices_section(const json& report, const std::optional<MonthParts>& parts,
                            const std::string& query) {
    std::string out = "<h2 id=\"devices-heading\">Devices</h2>";
    if (parts) {
        out += parts->link.search_form("devices-q", "devices_q", "Search devices (host, id, user)",
                                       {"devices_page"});
        out += pager(parts->link, "devices_", "devices-pager", parts->devices_page);
    }
    out += json_table("devices", field(report, "devices"),
                      {{"hostname", "Hostname", "hostname"},
                       {"device_type", "Type", "type"},
                       {"role", "Role", "role"},
                       {"billed_as", "Billed as", "billed_as"},
                       {"explanation", "Why"},
                       {"paired_user", "Paired user"},
                       {"paired_by", "Paired by"},
                       {"package", "Package", "package"},
                       {"active_days", "Active days", "active_days"},
                       {"active_minutes", "Active minutes", "active_minutes"},
                       {"last_seen", "Last seen", "last_seen"},
                       {"flags", "Flags"},
                       {"device_id", "Device id"}},
                      table_options(parts, "devices_", parts ? &parts->devices : nullptr, query));
    return out;
}

std::string head(const json& report, const std::string& tenant, const std::string& month,
                 const std::string& query, const std::optional<MonthParts>& parts) {
    std::string out =
        "<h2 id=\"title\">Usage of " + html_escape(tenant) + " in " + html_escape(month) + "</h2>";
    out += "<nav class=\"downloads\">Download the whole month: <a id=\"csv\" href=\"" +
           html_escape("/ui/usage.csv" + query) + "\">CSV</a><a id=\"xlsx\" href=\"" +
           html_escape("/ui/usage.xlsx" + query) + "\">XLSX</a>" +
           "<a href=\"/ui\">Another customer or month</a></nav>";
    const auto generated = field(report, "generated_at");
    if (parts) {
        out += "<p class=\"muted\" id=\"zone\">Times are in the tenant's time zone, <strong>" +
               html_escape(parts->zone.name()) + "</strong>. Generated " +
               html_escape(generated.is_string()
                               ? local_time_text(parts->zone, generated.get<std::string>())
                               : std::string("—")) +
               ".</p>";
    } else {
        out += "<p class=\"muted\">Generated " + cell_text(generated) +
               ". Times are UTC; active days are dates in the tenant's time zone.</p>";
    }
    return out;
}

}  // namespace

std::string report_page(const PageHeader& header, const json& report,
                        const std::optional<MonthParts>& parts) {
    const auto tenant =
        field(report, "tenant").is_string() ? report["tenant"].get<std::string>() : std::string();
    const auto month =
        field(report, "month").is_string() ? report["month"].get<std::string>() : std::string();
    const auto summary = field(report, "summary");
    const std::string query = "?tenant=" + url_encode(tenant) + "&month=" + url_encode(month);

    std::string body = head(report, tenant, month, query, parts);
    body += key_figures(summary.is_object() ? summary : json::object());
    body += summary_table(summary.is_object() ? summary : json::object(), parts);
    body += "<h2>Billable units per package</h2>";
    body += json_table("packages", field(summary, "packages"),
                       {{"package", "Package"},
                        {"active_users", "Active users"},
                        {"standalone_devices", "Standalone devices"},
                        {"billable_units", "Billable units"}});
    if (parts) {
        body += parts->charts;
    }
    body += users_section(report, parts, query);
    body += devices_section(report, parts, query);
    body += "<h2>Late adjustments (received after the month closed; not applied)</h2>";
    const auto late = field(report, "late_adjustments");
    if (parts && late.is_array() && parts->late_total > static_cast<std::int64_t>(late.size())) {
        body += "<p class=\"muted\" id=\"late-cut\">The first " + std::to_string(late.size()) +
                " of " + std::to_string(parts->late_total) + "; the downloads list them all.</p>";
    }
    body += json_table("late", field(report, "late_adjustments"),
                       {{"hostname", "Hostname"},
                        {"seq", "Seq"},
                        {"start", "Start"},
                        {"received_at", "Received"},
                        {"device_active_minutes", "Active minutes"},
                        {"users", "Users"}},
                       table_options(parts, "", nullptr, query));
    return page("Usage of " + tenant + " in " + month, body, header);
}

}  // namespace tally::server::ui
