// The Customers page (see customers_page.h).

#include "server/ui/customers_page.h"

#include "server/ui/html.h"

namespace tally::server::ui {
namespace {

std::string status_text(const std::string& status) {
    return status == "in_trial" ? "trial" : status;
}

std::string filter_form(const PageLink& link) {
    const auto& status = link.value("status");
    std::string out =
        "<form class=\"search\" method=\"get\" action=\"/ui\" role=\"search\">"
        "<label for=\"customers-q\">Name</label> <input id=\"customers-q\" type=\"search\" "
        "name=\"q\" maxlength=\"200\" value=\"" +
        html_escape(link.value("q")) +
        "\"> <label for=\"customers-status\">Status</label> <select id=\"customers-status\" "
        "name=\"status\">";
    for (const auto& [value, text] : std::vector<std::pair<std::string, std::string>>{
             {"", "any"}, {"in_trial", "trial"}, {"active", "active"}, {"inactive", "inactive"}}) {
        out += "<option value=\"" + value + "\"" + (status == value ? " selected" : "") + ">" +
               text + "</option>";
    }
    out += "</select>";
    for (const auto* keep : {"sort", "dir", "month"}) {
        if (!link.value(keep).empty()) {
            out += "<input type=\"hidden\" name=\"" + std::string(keep) + "\" value=\"" +
                   html_escape(link.value(keep)) + "\">";
        }
    }
    return out + " <button type=\"submit\" id=\"customers-go\">Filter</button></form>";
}

std::string package_mix(const std::vector<billing::PackageUnits>& packages) {
    std::string out;
    for (const auto& p : packages) {
        out += (out.empty() ? "" : ", ") + html_escape(p.package.empty() ? "(none)" : p.package) +
               " " + std::to_string(p.billable_units);
    }
    return out.empty() ? "—" : out;
}

std::string row(const application::CustomerRow& c, const std::string& month) {
    const auto href = "/ui/report?tenant=" + url_encode(c.name) + "&month=" + url_encode(month);
    const auto change = c.change();
    return "<tr><td data-field=\"name\"><a href=\"" + html_escape(href) + "\">" +
           html_escape(c.name) + "</a></td><td data-field=\"status\">" +
           html_escape(status_text(c.status)) + "</td><td data-field=\"packages\">" +
           package_mix(c.packages) + "</td><td class=\"n\" data-field=\"units\">" +
           std::to_string(c.units_this_month) + "</td><td class=\"n\" data-field=\"last\">" +
           std::to_string(c.units_last_month) + "</td><td class=\"n\" data-field=\"change\">" +
           (change > 0 ? "+" : "") + std::to_string(change) + "</td></tr>";
}

std::string table(const application::Customers& customers, const PageLink& link,
                  const application::TableQuery& query) {
    if (customers.rows.empty()) {
        return "<p class=\"muted\" id=\"customers\">No customer matches.</p>";
    }
    std::string out = "<div class=\"scroll\" tabindex=\"0\"><table id=\"customers\"><thead><tr>";
    out += sort_heading(link, "", "name", "Customer", query);
    out += sort_heading(link, "", "status", "Status", query);
    out += "<th scope=\"col\">Package mix (" + html_escape(customers.month) + ")</th>";
    out += sort_heading(link, "", "units", "Units " + customers.month, query);
    out += sort_heading(link, "", "last", "Units " + customers.last_month, query);
    out += sort_heading(link, "", "change", "Change", query);
    out += "</tr></thead><tbody>";
    for (const auto& c : customers.rows) {
        out += row(c, customers.month);
    }
    return out + "</tbody></table></div>";
}

}  // namespace

std::string customers_page(const PageHeader& header, const application::Customers& customers,
                           const PageLink& link, const application::TableQuery& query,
                           const std::string& picker) {
    std::string body = "<h2 id=\"title\">Customers</h2>";
    body +=
        "<p class=\"muted\">Billable units as billed (DESIGN.md §5): outside the trial, "
        "before inactivation; this month so far. Numbers of the open month may be up to a "
        "minute old.</p>";
    body += filter_form(link);
    body += pager(link, "", "customers-pager", customers.page);
    body += table(customers, link, query);
    body += "<h2>Open a month</h2>" + picker;
    return page("Customers", body, header);
}

}  // namespace tally::server::ui
