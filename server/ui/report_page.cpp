// The report page (see report_page.h).

#include "server/ui/report_page.h"

#include <utility>
#include <vector>

#include "server/ui/html.h"

namespace tally::server::ui {
namespace {

using nlohmann::json;

//! Any JSON value as escaped cell text: null → "—", booleans → yes/no, arrays joined.
std::string text(const json& v) {
    if (v.is_null()) {
        return "—";
    }
    if (v.is_string()) {
        return html_escape(v.get<std::string>());
    }
    if (v.is_boolean()) {
        return v.get<bool>() ? "yes" : "no";
    }
    if (v.is_array()) {
        if (v.empty()) {
            return "—";
        }
        std::string out;
        for (const auto& e : v) {
            out += (out.empty() ? "" : ", ") + text(e);
        }
        return out;
    }
    if (v.is_object()) {
        std::string out;
        for (const auto& [k, e] : v.items()) {
            out += (out.empty() ? "" : ", ") + html_escape(k) + ": " + text(e);
        }
        return out;
    }
    return html_escape(v.dump(-1, ' ', false, json::error_handler_t::replace));
}

json field(const json& obj, const char* name) {
    const auto it = obj.find(name);
    return it == obj.end() ? json(nullptr) : *it;
}

std::string td(const json& v, const std::string& name) {
    const bool number = v.is_number();
    return "<td" + std::string(number ? " class=\"n\"" : "") + " data-field=\"" +
           html_escape(name) + "\">" + text(v) + "</td>";
}

using Columns = std::vector<std::pair<const char*, const char*>>;  // JSON field, heading

std::string table(const char* id, const json& rows, const Columns& columns) {
    if (!rows.is_array() || rows.empty()) {
        return "<p class=\"muted\" id=\"" + std::string(id) + "\">None.</p>";
    }
    // Wide tables scroll inside their box instead of widening the page.
    std::string out = "<div class=\"scroll\"><table id=\"" + std::string(id) + "\"><thead><tr>";
    for (const auto& [name, heading] : columns) {
        out += std::string("<th scope=\"col\">") + heading + "</th>";
    }
    out += "</tr></thead><tbody>";
    for (const auto& row : rows) {
        out += "<tr>";
        for (const auto& [name, heading] : columns) {
            out += td(field(row, name), name);
        }
        out += "</tr>";
    }
    return out + "</tbody></table></div>";
}

std::string summary_table(const json& s) {
    static const Columns rows = {
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
        {"month_start", "Month start (UTC)"},
        {"month_end", "Month end (UTC)"},
        {"closes_at", "Month closes at"},
        {"closed", "Closed"},
        {"late_adjustments", "Late heartbeats"},
        {"late_units_delta", "Late units (not applied)"},
    };
    std::string out = "<table class=\"summary\" id=\"summary\"><tbody>";
    for (const auto& [name, heading] : rows) {
        out += std::string("<tr><th scope=\"row\">") + heading + "</th>" +
               td(field(s, name), name) + "</tr>";
    }
    return out + "</tbody></table>";
}

}  // namespace

std::string report_page(const PageHeader& header, const json& report) {
    const auto tenant =
        field(report, "tenant").is_string() ? report["tenant"].get<std::string>() : std::string();
    const auto month =
        field(report, "month").is_string() ? report["month"].get<std::string>() : std::string();
    const auto summary = field(report, "summary");
    const std::string query = "?tenant=" + url_encode(tenant) + "&month=" + url_encode(month);

    std::string body =
        "<h2 id=\"title\">Usage of " + html_escape(tenant) + " in " + html_escape(month) + "</h2>";
    body += "<p class=\"downloads\">Download: <a id=\"csv\" href=\"" +
            html_escape("/ui/usage.csv" + query) + "\">CSV</a><a id=\"xlsx\" href=\"" +
            html_escape("/ui/usage.xlsx" + query) + "\">XLSX</a>" +
            "<a href=\"/ui\">Another tenant or month</a></p>";
    body += "<p class=\"muted\">Generated " + text(field(report, "generated_at")) +
            ". Times are UTC; active days are dates in the tenant's time zone.</p>";
    body += summary_table(summary.is_object() ? summary : json::object());

    body += "<h2>Billable units per package</h2>";
    body += table("packages", field(summary, "packages"),
                  {{"package", "Package"},
                   {"active_users", "Active users"},
                   {"standalone_devices", "Standalone devices"},
                   {"billable_units", "Billable units"}});

    body += "<h2>Users</h2>";
    body += table("users", field(report, "users"),
                  {{"principal", "Principal"},
                   {"local", "Local account"},
                   {"group", "Group"},
                   {"package", "Package"},
                   {"devices_paired", "Devices paired"},
                   {"active_days", "Active days"},
                   {"active_minutes", "Active minutes"},
                   {"first_seen", "First seen"},
                   {"last_seen", "Last seen"},
                   {"devices", "Devices used"}});

    body += "<h2>Devices</h2>";
    body += table("devices", field(report, "devices"),
                  {{"hostname", "Hostname"},
                   {"device_type", "Type"},
                   {"role", "Role"},
                   {"paired_user", "Paired user"},
                   {"paired_by", "Paired by"},
                   {"billed_as", "Billed as"},
                   {"package", "Package"},
                   {"explanation", "Why"},
                   {"active_days", "Active days"},
                   {"active_minutes", "Active minutes"},
                   {"last_seen", "Last seen"},
                   {"flags", "Flags"},
                   {"device_id", "Device id"}});

    body += "<h2>Late adjustments (received after the month closed; not applied)</h2>";
    body += table("late", field(report, "late_adjustments"),
                  {{"hostname", "Hostname"},
                   {"seq", "Seq"},
                   {"start", "Start"},
                   {"received_at", "Received"},
                   {"device_active_minutes", "Active minutes"},
                   {"users", "Users"}});
    return page("Usage of " + tenant + " in " + month, body, header);
}

}  // namespace tally::server::ui
