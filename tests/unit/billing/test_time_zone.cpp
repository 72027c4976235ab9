// Tenant time zones from the system TZif files.

#include <catch2/catch.hpp>

#include "billing_fixture.h"
#include "server/billing/time_zone.h"

using namespace tally::server;
using namespace tally::server::test;

TEST_CASE("time zones: offsets, DST and month ranges from TZif", "[billing][tz]") {
    auto ny = billing::TimeZone::load("America/New_York");
    REQUIRE(ny.ok());
    CHECK(ny->offset_at(at(2026, 7, 1)) == -4 * 3600);
    CHECK(ny->offset_at(at(2026, 12, 1)) == -5 * 3600);
    auto berlin = billing::TimeZone::load("Europe/Berlin");
    REQUIRE(berlin.ok());
    // March 2026: starts in CET (UTC+1), ends in CEST (UTC+2, from Mar 29).
    const auto march = berlin->month_range("2026-03");
    REQUIRE(march);
    CHECK(march->first == at(2026, 2, 28, 23));
    CHECK(march->second == at(2026, 3, 31, 22));
    auto kolkata = billing::TimeZone::load("Asia/Kolkata");
    REQUIRE(kolkata.ok());
    CHECK(kolkata->month_range("2026-11")->first == at(2026, 10, 31, 18, 30));
    CHECK(kolkata->local_day(at(2026, 11, 1, 18, 29)) == kolkata->local_day(at(2026, 11, 1, 0)));
    CHECK(kolkata->local_day(at(2026, 11, 1, 18, 30)) != kolkata->local_day(at(2026, 11, 1, 0)));
    CHECK(berlin->day_start("2026-11-15") == at(2026, 11, 14, 23));

    const billing::TimeZone utc;
    CHECK(utc.month_range("2026-11")->first == at(2026, 11, 1, 0));
    CHECK_FALSE(utc.month_range("2026-13"));
    CHECK_FALSE(utc.month_range("2026-1"));
    CHECK(billing::TimeZone::load("../../etc/passwd").error().code == "bad_request");
    CHECK(billing::TimeZone::load("Mars/Olympus_Mons").error().code == "bad_request");
    CHECK(billing::TimeZone::parse("x", "not a tzif file").error().code == "bad_request");
}
