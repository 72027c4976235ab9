// The console pages (Customers, a customer's month, device, user, charts) rendered with
// hostile tenant, device and user names and hostile query parameters: no markup of them
// survives; and the table queries (paging, sorting, search) the pages ask for.

#include <catch2/catch.hpp>

#include "server/application/console_table.h"
#include "server/application/kept_report.h"
#include "server/report/usage_json.h"
#include "server/ui/customers_page.h"
#include "server/ui/detail_page.h"
#include "server/ui/month_view.h"
#include "server/ui/svg_chart.h"
#include "server/ui/table_controls.h"

using namespace tally::server;
using namespace tally::server::ui;

namespace {

const std::string evil = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

void check_inert(const std::string& html) {
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<img") == std::string::npos);
    CHECK(html.find("'><") == std::string::npos);
    CHECK(html.find("\"><img") == std::string::npos);
}

UsageReport hostile_report() {
    UsageReport r;
    r.tenant = evil;
    r.month = "2026-01";
    r.summary.time_zone = "UTC";
    r.summary.packages = {{evil, 1, 0, 1}};
    DeviceReportRow d;
    d.usage.device.id = evil;
    d.usage.device.facts.hostname = evil;
    d.usage.device.facts.device_type = evil;
    d.usage.device.facts.role = evil;
    d.usage.device.retired_at = 1767225600;
    d.usage.device.suspected_clone = true;
    d.billing.device_id = evil;
    d.billing.paired_user = evil;
    d.explanation = evil;
    r.devices.push_back(d);
    billing::UserBilling u;
    u.key = evil;
    u.principal = evil;
    u.group = evil;
    u.package = evil;
    u.devices = {evil};
    r.users.push_back(u);
    return r;
}

PageLink hostile_link(const char* path) {
    return PageLink(path, {{"tenant", evil},
                           {"month", "2026-01"},
                           {"devices_q", evil},
                           {"users_q", evil},
                           {"q", evil},
                           {"status", evil},
                           {"sort", evil}});
}

}  // namespace

TEST_CASE("the Customers page escapes tenant names and every query parameter") {
    application::Customers c;
    c.month = "2026-01";
    c.rows.push_back({evil, evil, "2026-01", "2025-12", "active", {{evil, 2, 1, 3}}, 3, 1, false});
    c.rows.push_back({"pending", "UTC", "2026-01", "2025-12", "active", {}, 0, 0, true});
    c.pending = 1;
    c.page = {1, 1, 1, 1};
    application::TableQuery q;
    q.sort = "name";
    const auto html = customers_page(PageHeader{evil}, c, hostile_link("/ui"), q, "");
    check_inert(html);
    CHECK(html.find("/ui/report?tenant=%3Cscript%3E") != std::string::npos);
    CHECK(html.find("<td class=\"n\" data-field=\"change\">+2</td>") != std::string::npos);
    CHECK(html.find("id=\"pending\"") != std::string::npos);
}

TEST_CASE("a customer's month escapes names, search terms and links") {
    const auto full = hostile_report();
    application::ConsoleMonth m;
    m.report = std::make_shared<const application::KeptReport>(application::keep_report(full));
    m.devices = {m.report->expand(m.report->devices[0])};
    m.users = {&m.report->users[0]};
    m.days = {{1, 3, 2}};
    m.trend = {{"2026-01", 4}};
    application::TableQuery q;
    q.sort = "hostname";
    q.search = evil;
    MonthParts parts{hostile_link("/ui/report"), q, q, {}, {}, {}, {}};
    const auto html = month_view(PageHeader{evil}, m, parts);
    check_inert(html);
    // The row links carry the device id and the user key URL-encoded.
    CHECK(html.find("/ui/device?tenant=%3Cscript%3E") != std::string::npos);
    CHECK(html.find("&amp;key=%3Cscript%3E") != std::string::npos);
    CHECK(html.find("id=\"chart-days\"") != std::string::npos);
    CHECK(html.find("id=\"devices-pager\"") != std::string::npos);
    CHECK(html.find("id=\"late-cut\"") == std::string::npos);
}

TEST_CASE("a month's late adjustments are cut to 100 rows, with a note") {
    auto report = hostile_report();
    report.late.resize(250);
    for (auto& l : report.late) {
        l.hostname = evil;
    }
    application::ConsoleMonth m;
    m.report = std::make_shared<const application::KeptReport>(application::keep_report(report));
    application::TableQuery q;
    q.sort = "hostname";
    const auto html = month_view(PageHeader{"x"}, m,
                                 MonthParts{hostile_link("/ui/report"), q, q, {}, {}, {}, {}});
    check_inert(html);
    CHECK(html.find("The first 100 of 250; the downloads list them all.") != std::string::npos);
    const auto table = html.substr(html.find("<table id=\"late\""));
    std::size_t rows = 0;
    for (auto at = table.find("<tr><td"); at != std::string::npos;
         at = table.find("<tr><td", at + 1)) {
        ++rows;
    }
    CHECK(rows == 100);
}

TEST_CASE("device and user pages escape names, events and facts") {
    const auto full = hostile_report();
    const auto report =
        std::make_shared<const application::KeptReport>(application::keep_report(full));
    application::ConsoleDevicePage d;
    d.report = report;
    d.device = full.devices[0].usage.device;
    d.row = report->expand(report->devices[0]);
    d.days_in_month = 31;
    d.first_day = 20454;
    d.days = {{20455, 3, 30, 1}};
    d.events = {{1767225600, "retired: " + evil}};
    const auto device_html = device_page(PageHeader{evil}, d, billing::TimeZone());
    check_inert(device_html);
    CHECK(device_html.find("suspected clone") != std::string::npos);
    CHECK(device_html.find("2026-01-01 00:00") != std::string::npos);

    application::ConsoleUserPage u;
    u.report = report;
    u.user = &report->users[0];
    u.days_in_month = 31;
    u.devices = {{evil, false, 12, 3}};
    u.hostnames = {evil};
    u.paired = {evil};
    check_inert(user_page(PageHeader{evil}, u, billing::TimeZone()));
}

TEST_CASE("a kept month expands to the report's own rows: the same JSON") {
    const auto full = hostile_report();
    const auto kept = application::keep_report(full);
    UsageReport back{kept.tenant, kept.month, kept.generated_at, kept.summary,
                     {},          kept.users, kept.late};
    for (const auto& d : kept.devices) {
        back.devices.push_back(kept.expand(d));
    }
    CHECK(usage_to_json(back) == usage_to_json(full));
    CHECK(application::approx_bytes(kept) < application::approx_bytes(full));
}

TEST_CASE("charts draw escaped labels and scale to the largest value") {
    const auto svg = bar_chart("c", evil, {evil, "2"}, {{evil, "s1", {5, 10}}});
    check_inert(svg);
    CHECK(svg.find(">10</text>") != std::string::npos);
    CHECK(svg.find("<title>2: ") != std::string::npos);
}

TEST_CASE("table queries: bad parameters are named, paging cuts 100 rows") {
    const std::vector<std::string_view> sorts = {"hostname", "active_days"};
    auto bad_sort = application::parse_table_query("devices_", "", evil, "", "", sorts);
    REQUIRE(!bad_sort);
    CHECK(bad_sort.error().message.find("devices_sort") != std::string::npos);
    CHECK(!application::parse_table_query("devices_", "", "", "sideways", "", sorts));
    CHECK(!application::parse_table_query("devices_", "", "", "", "0", sorts));
    CHECK(!application::parse_table_query("devices_", "", "", "", "2x", sorts));
    CHECK(!application::parse_table_query("devices_", std::string(201, 'a'), "", "", "", sorts));
    auto q = application::parse_table_query("devices_", "7", "", "desc", "2", sorts);
    REQUIRE(q);
    CHECK(q->sort == "hostname");

    std::vector<int> rows;
    for (int i = 0; i < 2000; ++i) {
        rows.push_back(i);
    }
    auto all = rows;
    application::TableQuery page3;
    page3.page = 3;
    const auto info = application::page_rows(
        all, page3, [](int) { return true; }, [](int a, int b) { return a < b; });
    CHECK(info.pages == 20);
    CHECK(info.matched == 2000);
    REQUIRE(all.size() == 100);
    CHECK(all.front() == 200);
    // Search "7" matches 0-1999 numbers containing a 7, sorted descending, page 2.
    auto some = rows;
    const auto found = application::page_rows(
        some, *q, [](int v) { return std::to_string(v).find('7') != std::string::npos; },
        [](int a, int b) { return a < b; });
    CHECK(found.total == 2000);
    CHECK(found.matched == 542);
    CHECK(found.page == 2);
    CHECK(some.front() == 1737);  // the 101st from 1997 down
    // Past the last page shows the last page.
    application::TableQuery far;
    far.page = 99;
    auto last = rows;
    CHECK(application::page_rows(
              last, far, [](int) { return true; }, [](int a, int b) { return a < b; })
              .page == 20);
    CHECK(last.back() == 1999);
}

TEST_CASE("case-insensitive search") {
    CHECK(application::contains_folded("Kiosk-07.ACME", "kiosk-07.acme"));
    CHECK(application::contains_folded("anything", ""));
    CHECK(!application::contains_folded("abc", "abd"));
}
