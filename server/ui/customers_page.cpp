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

std::string units(const application::CustomerRow& c, std::int64_t value, bool signed_value) {
    if (c.pending) {
        return "<abbr title=\"being computed\">…</abbr>";
    }
    return (signed_value && value > 0 ? "+" : "") + std::to_string(value);
}

std::string row(const application::CustomerRow& c) {
    const auto href = "/ui/report?tenant=" + url_encode(c.name) + "&month=" + url_encode(c.month);
    return "<tr><td data-field=\"name\"><a href=\"" + html_escape(href) + "\">" +
           html_escape(c.name) + "</a></td><td data-field=\"status\">" +
           html_escape(status_text(c.status)) + "</td><td data-field=\"month\">" +
           html_escape(c.month) + " <span class=\"muted\">" + html_escape(c.time_zone) +
           "</span></td><td data-field=\"packages\">" +
           (c.pending ? units(c, 0, false) : package_mix(c.packages)) +
           "</td><td class=\"n\" data-field=\"units\">" + units(c, c.units_this_month, false) +
           "</td><td class=\"n\" data-field=\"last\">" + units(c, c.units_last_month, false) +
           "</td><td class=\"n\" data-field=\"change\">" + units(c, c.change(), true) +
           "</td></tr>";
}

std::string table(const application::Customers& customers, const PageLink& link,
                  const application::TableQuery& query) {
    if (customers.rows.empty()) {
        return "<p class=\"muted\" id=\"customers\">No customer matches.</p>";
    }
    std::string out = "<div class=\"scroll\" tabindex=\"0\"><table id=\"customers\"><thead><tr>";
    out += sort_heading(link, "", "name", "Customer", query);
    out += sort_heading(link, "", "status", "Status", query);
    out += "<th scope=\"col\">Month (time zone)</th><th scope=\"col\">Package mix</th>";
    out += sort_heading(link, "", "units", "Units this month", query);
    out += sort_heading(link, "", "last", "Units last month", query);
    out += sort_heading(link, "", "change", "Change", query);
    out += "</tr></thead><tbody>";
    for (const auto& c : customers.rows) {
        out += row(c);
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
        "before inactivation; this month so far, each tenant's month in its own time zone "
        "unless a month is picked. Numbers of an open month may be a minute or two old.</p>";
    if (customers.pending > 0) {
        body += "<p class=\"muted\" id=\"pending\">The figures of " +
                std::to_string(customers.pending) +
                (customers.pending == 1 ? " customer are" : " customers are") +
                " being computed (…); this page reloads itself.</p>";
    }
    body += filter_form(link);
    body += pager(link, "", "customers-pager", customers.page);
    body += table(customers, link, query);
    body += "<h2>Open a month</h2>" + picker;
    return page("Customers", body, header);
}

}  // namespace tally::server::ui
