// The usage report for a small scenario, as numbers, JSON and CSV.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "server/report/csv_writer.h"
#include "server/report/usage_csv.h"
#include "server/report/usage_json.h"
#include "server/report/usage_report.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

// A: workstation, alice (directory) + o"neil, x (local). B: server role, no user (standalone),
// one heartbeat in October. C: on but idle. D: ALICE (same person as alice) + bob (local).
// E: retired before its only heartbeat started (nothing from the retirement on is billed;
// activity before it would count: tests/unit/billing).
struct Scenario {
    ServerFixture f;
    TestDevice a, b, c, d, e;

    Scenario() {
        for (auto* dev : {&a, &b, &c, &d, &e}) {
            f.pair(*dev, dev == &b ? "server" : "workstation");
        }
        const auto day2 = kNow - 86400;
        upload(a, {a.next_heartbeat(day2, 4, {user("alice", 3), user("o\"neil, x", 2, true)}),
                   a.next_heartbeat(kNow, 2, {user("alice", 2)})});
        upload(b, {b.next_heartbeat(kNow - 26 * 86400, 5), b.next_heartbeat(kNow, 5)});
        upload(c, {c.next_heartbeat(kNow, 0, {user("carol", 0)})});
        upload(d, {d.next_heartbeat(kNow, 3, {user("ALICE", 1), user("bob", 3, true)})});
        upload(e, {e.next_heartbeat(kNow, 5, {user("eve", 5)})});
        REQUIRE(f.store->retire_device(e.device_id, "uninstall", kNow - 600).ok());
    }
    void upload(const TestDevice& dev, const std::vector<std::string>& hbs) {
        auto r = f.upload(dev, dev.batch(hbs));
        REQUIRE(r.ok());
    }
};

const DeviceReportRow& row_of(const UsageReport& r, const std::string& id) {
    for (const auto& row : r.devices) {
        if (row.usage.device.id == id) {
            return row;
        }
    }
    FAIL("device " << id << " not in the report");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("usage report numbers for a small month", "[report]") {
    Scenario s;
    auto report = build_usage_report(*s.f.store, "acme", "2026-11", kNow);
    REQUIRE(report.ok());
    CHECK(report->summary.active_devices == 3);  // a, b, d
    CHECK(report->summary.active_users == 3);    // alice, o"neil@a, bob@d
    CHECK(report->summary.standalone_devices == 1);
    CHECK(report->summary.billable_units == 4);
    CHECK(report->devices.size() == 5);

    const auto& a = row_of(*report, s.a.device_id);
    CHECK(a.active);
    CHECK(a.usage.active_minutes == 6);
    CHECK(a.usage.active_days == 2);
    CHECK(a.usage.heartbeats == 2);
    CHECK(a.usage.users == std::vector<std::string>{"alice", "o\"neil, x"});
    const auto& b = row_of(*report, s.b.device_id);
    CHECK(b.active);
    CHECK(b.usage.heartbeats == 1);  // the October heartbeat belongs to October
    CHECK(b.usage.device.last_seq == 2);
    CHECK(b.usage.users.empty());
    CHECK_FALSE(row_of(*report, s.c.device_id).active);
    CHECK_FALSE(row_of(*report, s.e.device_id).active);
    CHECK(row_of(*report, s.e.device_id).billing.billed_as == billing::BilledAs::kRetired);

    REQUIRE(report->users.size() == 3);
    const auto& alice = report->users[0];
    CHECK(alice.principal == "ALICE");  // one person, however the devices spell it
    CHECK_FALSE(alice.local);
    CHECK(alice.active_minutes == 6);
    CHECK(alice.active_days == 2);
    CHECK(alice.devices.size() == 2);
    CHECK(report->users[1].principal == "bob");
    CHECK(report->users[1].local);
    CHECK(report->users[1].device_id == s.d.device_id);

    auto october = build_usage_report(*s.f.store, "acme", "2026-10", kNow);
    REQUIRE(october.ok());
    // October closed on Nov 4 (72 h grace); b's October heartbeat arrived on Nov 15: a late
    // adjustment that does not rewrite the closed month.
    CHECK(october->summary.closed);
    CHECK(october->summary.active_devices == 0);
    CHECK(october->summary.billable_units == 0);
    CHECK(october->summary.late_adjustments == 1);
    CHECK(october->summary.late_units_delta == 1);

    CHECK(build_usage_report(*s.f.store, "acme", "2026-13", kNow).error().code == "bad_request");
    CHECK(build_usage_report(*s.f.store, "acme", "2026-1", kNow).error().code == "bad_request");
    CHECK(build_usage_report(*s.f.store, "nope", "2026-11", kNow).error().code == "not_found");
}

TEST_CASE("usage report as JSON", "[report]") {
    Scenario s;
    auto report = build_usage_report(*s.f.store, "acme", "2026-11", kNow);
    REQUIRE(report.ok());
    const auto doc = nlohmann::json::parse(usage_to_json(*report));
    CHECK(doc["tenant"] == "acme");
    CHECK(doc["month"] == "2026-11");
    CHECK(doc["generated_at"] == "2026-11-15T12:00:00Z");
    CHECK(doc["summary"]["billable_units"] == 4);
    CHECK(doc["summary"]["active_users"] == 3);
    CHECK(doc["devices"].size() == 5);
    const auto& dev = doc["devices"][0];
    for (const char* key :
         {"device_id", "hostname", "device_type", "role", "active", "active_minutes", "active_days",
          "heartbeats", "last_seq", "last_seen", "users"}) {
        CHECK(dev.contains(key));
    }
    CHECK(dev["last_seen"] == "2026-11-15T12:00:00Z");
    const auto& bob = doc["users"][1];
    CHECK(bob["principal"] == "bob");
    CHECK(bob["local"] == true);
    CHECK(bob["device_id"] == s.d.device_id);
    CHECK_FALSE(doc["users"][0].contains("device_id"));  // directory user: no device_id
}

TEST_CASE("usage report as RFC 4180 CSV", "[report]") {
    Scenario s;
    auto report = build_usage_report(*s.f.store, "acme", "2026-11", kNow);
    REQUIRE(report.ok());
    const auto csv = usage_to_csv(*report);
    CHECK(csv.rfind("row_type,tenant,month,device_id,", 0) == 0);
    CHECK_THAT(csv, Catch::Contains("\r\nsummary,acme,2026-11,,,,,,,,,,,,,,3,3,1,4,"));
    CHECK_THAT(csv, Catch::Contains("\"o\"\"neil, x\""));
    std::size_t rows = 0;
    for (std::size_t p = 0; (p = csv.find("\r\n", p)) != std::string::npos; p += 2) {
        ++rows;
    }
    CHECK(rows == 1 + 1 + 1 + 5 + 3);  // header, summary, package, devices, users
    CHECK_THAT(csv, Catch::Contains("\r\ndevice,acme,2026-11," + s.b.device_id +
                                    ",pc-17,business,server,,,true,5,1,1,2,"));
}

TEST_CASE("CSV fields are quoted only when needed", "[report]") {
    CHECK(csv_field("plain") == "plain");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_row({"a", "", "b c"}) == "a,,b c\r\n");
    // The writers append rows to a piece already holding earlier ones.
    std::string piece = "x\r\n";
    append_csv_row(piece, {"=1", "a,b", ""});
    CHECK(piece == "x\r\n'=1,\"a,b\",\r\n");
}

TEST_CASE("CSV cells that a spreadsheet would run as formulas are neutralised", "[report]") {
    CHECK(csv_field("=1+2") == "'=1+2");
    CHECK(csv_field("+cmd") == "'+cmd");
    CHECK(csv_field("-x") == "'-x");
    CHECK(csv_field("@SUM(A1)") == "'@SUM(A1)");
    CHECK(csv_field("\tTAB") == "'\tTAB");
    CHECK(csv_field("\r=1") == "\"'\r=1\"");
    CHECK(csv_field("=HYPERLINK(\"http://x\",\"y\")") ==
          "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_field("-3") == "-3");  // numbers stay numbers
    CHECK(csv_field("1.5") == "1.5");
    CHECK(csv_field("a=b") == "a=b");

    // End to end: a user name chosen by whoever controls an endpoint reaches the export.
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    const auto body = dev.batch({dev.next_heartbeat(
        kNow, 5, {user("=cmd|' /C calc'!A0", 3, true), user("@SUM(1+1)", 2, true)})});
    REQUIRE(f.upload(dev, body).ok());
    auto report = build_usage_report(*f.store, "acme", "2026-11", kNow);
    REQUIRE(report.ok());
    const auto csv = usage_to_csv(*report);
    CHECK_THAT(csv, Catch::Contains(",'=cmd|' /C calc'!A0"));
    CHECK_THAT(csv, Catch::Contains(",'@SUM(1+1)"));
    CHECK_THAT(csv, !Catch::Contains(",=cmd"));
    CHECK_THAT(csv, !Catch::Contains(",@SUM"));
}
