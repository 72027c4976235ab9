// DESIGN.md §5 rule 4 as one rule (server/billing/user_retention.h): released 30 days after
// the last signal, purged 90 days after the release; at the boundary seconds, on days
// 89/90/91 after the release, across DST changes and in any tenant zone.

#include <catch2/catch.hpp>

#include "billing_fixture.h"
#include "server/billing/time_zone.h"
#include "server/billing/user_retention.h"

using namespace tally::server;
using namespace tally::server::test;

TEST_CASE("retention: released on day 30, purged on day 90 after the release",
          "[billing][purge][retention]") {
    const auto last = at(2026, 11, 20, 9, 15);
    const auto r = billing::retention_of(last);
    CHECK(r.released_at == last + 30 * kDay);
    CHECK(r.purge_at == r.released_at + 90 * kDay);

    CHECK_FALSE(billing::is_released(last, r.released_at - 1));
    CHECK(billing::is_released(last, r.released_at));

    CHECK_FALSE(billing::is_purge_due(last, r.released_at + 89 * kDay));      // day 89
    CHECK_FALSE(billing::is_purge_due(last, r.released_at + 90 * kDay - 1));  // its last second
    CHECK(billing::is_purge_due(last, r.released_at + 90 * kDay));            // day 90
    CHECK(billing::is_purge_due(last, r.released_at + 91 * kDay));            // day 91
}

TEST_CASE("retention: the purge names only users due, never a surrogate again",
          "[billing][purge][retention]") {
    const auto now = at(2027, 6, 1);
    const auto due = now - 120 * kDay;  // exactly on its purge instant
    const std::map<std::string, std::int64_t> last = {
        {"ann@corp", due},
        {"bob@corp", due + 1},                          // one second short
        {"local:dev-1/admin", due - 400 * kDay},        // long gone
        {"purged-00aa11bb22cc33dd", due - 400 * kDay},  // purged before: already a surrogate
    };
    const auto named = billing::users_to_purge(last, now);
    CHECK(named == std::vector<std::string>{"ann@corp", "local:dev-1/admin"});
    CHECK(billing::users_to_purge({}, now).empty());
}

TEST_CASE("retention: elapsed time, the same instants across DST and in every tenant zone",
          "[billing][purge][retention]") {
    auto berlin = billing::TimeZone::load("Europe/Berlin");
    REQUIRE(berlin.ok());
    // Last signal on 2026-03-01 12:00 in Berlin (CET, UTC+1); the release (Mar 31) and the
    // purge (Jun 29) fall after the change to CEST (Mar 29): 13:00 local, the same UTC instant
    // as 30 and 120 days of 24 hours, not 12:00 local (which would be an hour early).
    const auto last = at(2026, 3, 1, 11);
    CHECK(berlin->offset_at(last) == 3600);
    const auto r = billing::retention_of(last);
    CHECK(berlin->offset_at(r.released_at) == 7200);
    CHECK(r.released_at == at(2026, 3, 31, 11));
    CHECK(r.purge_at == at(2026, 6, 29, 11));
    CHECK_FALSE(billing::is_purge_due(last, berlin->utc_of_local(at(2026, 6, 29, 13)) - 1));
    CHECK(billing::is_purge_due(last, berlin->utc_of_local(at(2026, 6, 29, 13))));
    // Across the autumn change (back to UTC+1 on Oct 25): 120 × 24 h again, 11:00 local.
    const auto summer = at(2026, 7, 1, 10);  // 12:00 CEST
    const auto later = billing::retention_of(summer);
    CHECK(berlin->offset_at(later.purge_at) == 3600);
    CHECK(later.purge_at == berlin->utc_of_local(at(2026, 10, 29, 11)));
}
