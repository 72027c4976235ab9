// The report writers agree: JSON summary and detail fields, RFC 4180 CSV rows, and an XLSX
// workbook (read back by openpyxl in tests/integration/test_reports.py).

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "billing_fixture.h"
#include "server/report/usage_csv.h"
#include "server/report/usage_json.h"
#include "server/report/usage_xlsx.h"

using namespace tally::server;
using namespace tally::server::test;

TEST_CASE("report formats carry the billing detail", "[billing][report]") {
    BillingScenario s;
    s.device("laptop");
    s.device("srv", "business", "server");
    s.daily("laptop", at(2026, 11, 2), 3, "alice, \"the boss\"", 5);
    s.beat("srv", at(2026, 11, 3), 5);
    s.beat("laptop", at(2026, 11, 30, 23), 5, {user("bob", 5)}, at(2026, 12, 8));  // late
    const auto r = s.report("2026-11", at(2026, 12, 10));

    const auto doc = nlohmann::json::parse(usage_to_json(r));
    const auto& sum = doc["summary"];
    CHECK(sum["active_users"] == 1);
    CHECK(sum["standalone_devices"] == 1);
    CHECK(sum["billable_units"] == 2);
    CHECK(sum["trial"] == false);
    CHECK(sum["closed"] == true);
    CHECK(sum["late_adjustments"] == 1);
    CHECK(sum["packages"][0]["package"] == "Core");
    CHECK(sum["packages"][0]["billable_units"] == 2);
    CHECK(doc["late_adjustments"][0]["users"][0] == "bob");
    for (const auto& d : doc["devices"]) {
        for (const char* key : {"device_id", "hostname", "device_type", "role", "paired_user",
                                "billed_as", "active_days", "last_seen", "active", "heartbeats",
                                "last_seq", "gaps", "forks", "flags"}) {
            CHECK(d.contains(key));
        }
    }
    const auto& alice = doc["users"][0];
    CHECK(alice["principal"] == "alice, \"the boss\"");
    CHECK(alice["package"] == "Core");
    CHECK(alice["devices_paired"].size() == 1);
    CHECK(alice["active_days"] == 3);
    CHECK(alice["first_seen"] == "2026-11-02T11:55:00Z");
    CHECK(alice["last_seen"] == "2026-11-04T12:00:00Z");

    const auto csv = usage_to_csv(r);
    CHECK_THAT(csv, Catch::Contains("\"alice, \"\"the boss\"\"\""));
    CHECK_THAT(csv, Catch::Contains("\r\npackage,acme,2026-11,"));
    CHECK_THAT(csv, Catch::Contains("\r\nlate,acme,2026-11," + s.id("laptop")));
    CHECK_THAT(csv, Catch::Contains(",standalone,Core,,"));

    auto xlsx = usage_to_xlsx(r);
    REQUIRE(xlsx.ok());
    CHECK(xlsx->substr(0, 2) == "PK");  // a zip container
    CHECK(xlsx->find("xl/worksheets/sheet5.xml") != std::string::npos);
}
