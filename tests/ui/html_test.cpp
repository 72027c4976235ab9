// /ui escaping: html_escape, url_encode, and whole pages rendered from hostile report JSON.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "server/ui/home_page.h"
#include "server/ui/html.h"
#include "server/ui/page.h"
#include "server/ui/report_page.h"

using namespace tally::server::ui;

TEST_CASE("html_escape makes markup and attribute breakouts inert") {
    CHECK(html_escape("<script>a&b</script>") == "&lt;script&gt;a&amp;b&lt;/script&gt;");
    CHECK(html_escape("\" onmouseover='x'") == "&quot; onmouseover=&#39;x&#39;");
    CHECK(html_escape("plain ünïcode") == "plain ünïcode");
}

TEST_CASE("url_encode keeps only unreserved characters") {
    CHECK(url_encode("acme-1_x.~") == "acme-1_x.~");
    CHECK(url_encode("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9");
}

TEST_CASE("a report with hostile strings renders no markup of them") {
    const std::string evil = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";
    nlohmann::json report = {
        {"tenant", evil},
        {"month", "2026-01"},
        {"generated_at", "2026-01-31T00:00:00Z"},
        {"summary",
         {{"billable_units", 3},
          {"tenant_status", evil},
          {"trial", false},
          {"packages", {{{"package", evil}, {"billable_units", 3}}}}}},
        {"users", {{{"principal", evil}, {"local", false}, {"devices", {{evil, 5}}}}}},
        {"devices", {{{"hostname", evil}, {"billed_as", "standalone"}, {"flags", {evil}}}}},
        {"late_adjustments", nlohmann::json::array()}};
    const auto html = report_page(PageHeader{evil}, report);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<img") == std::string::npos);
    CHECK(html.find("onerror=alert(2)&gt;") != std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;") != std::string::npos);
    // The tenant in the download links is URL-encoded, then HTML-escaped.
    CHECK(html.find("/ui/usage.xlsx?tenant=%3Cscript%3E") != std::string::npos);
    CHECK(html.find("<td class=\"n\" data-field=\"billable_units\">3</td>") != std::string::npos);
}

TEST_CASE("the picker and the sign-in error escape too") {
    const std::string evil = "<b>x</b>";
    const auto picker = picker_page(PageHeader{"global admin"}, {{evil, "active"}}, "2026-01");
    CHECK(picker.find("<b>") == std::string::npos);
    CHECK(picker.find("value=\"&lt;b&gt;x&lt;/b&gt;\"") != std::string::npos);
    const auto sign_in = sign_in_page(evil);
    CHECK(sign_in.find("<b>") == std::string::npos);
}

TEST_CASE("the CSP allows the page's own stylesheet by hash and no scripts") {
    const auto& csp = content_security_policy();
    CHECK(csp.find("default-src 'none'") != std::string::npos);
    CHECK(csp.find("style-src 'sha256-") != std::string::npos);
    CHECK(csp.find("script") == std::string::npos);
}
