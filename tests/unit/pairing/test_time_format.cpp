// RFC 3339 parsing/formatting and civil-date arithmetic.

#include <catch2/catch.hpp>

#include "pairing/time_format.h"

using namespace tally::pairing;

TEST_CASE("time: format") {
    REQUIRE(format_rfc3339(0) == "1970-01-01T00:00:00Z");
    REQUIRE(format_rfc3339(1795773900) == "2026-11-27T10:05:00Z");
    REQUIRE(format_rfc3339(951782400) == "2000-02-29T00:00:00Z");  // leap year by /400
    REQUIRE(format_rfc3339(-1) == "1969-12-31T23:59:59Z");
    REQUIRE(format_rfc3339(4102444799) == "2099-12-31T23:59:59Z");
}

TEST_CASE("time: parse accepts Z, offsets and fractions") {
    REQUIRE(parse_rfc3339("2026-11-27T10:05:00Z") == 1795773900);
    REQUIRE(parse_rfc3339("2026-11-27t10:05:00z") == 1795773900);
    REQUIRE(parse_rfc3339("2026-11-27T11:05:00+01:00") == 1795773900);
    REQUIRE(parse_rfc3339("2026-11-27T04:35:00-05:30") == 1795773900);
    REQUIRE(parse_rfc3339("2026-11-27T10:05:00.999Z") == 1795773900);
    REQUIRE(parse_rfc3339("2026-11-27T10:05:00.123456789+00:00") == 1795773900);
    REQUIRE(parse_rfc3339("2027-01-01T00:30:00+01:00") == parse_rfc3339("2026-12-31T23:30:00Z"));
    REQUIRE(parse_rfc3339("2016-12-31T23:59:60Z") == parse_rfc3339("2017-01-01T00:00:00Z"));
    REQUIRE(parse_rfc3339("1969-12-31T23:59:59Z") == -1);
    for (std::int64_t t : {0LL, 951782399LL, 951782400LL, 1795773900LL, 253402300799LL}) {
        REQUIRE(parse_rfc3339(format_rfc3339(t)) == t);
    }
}

TEST_CASE("time: parse rejects malformed text") {
    for (const char* bad : {"",
                            "2026-11-27",
                            "2026-11-27T10:05:00",
                            "2026-11-27 10:05:00Z",
                            "2026-11-27T10:05Z",
                            "2026-13-01T00:00:00Z",
                            "2026-00-01T00:00:00Z",
                            "2026-02-29T00:00:00Z",
                            "2100-02-29T00:00:00Z",
                            "2026-04-31T00:00:00Z",
                            "2026-11-27T24:00:00Z",
                            "2026-11-27T10:60:00Z",
                            "2026-11-27T10:05:61Z",
                            "2026-11-27T10:05:00.Z",
                            "2026-11-27T10:05:00+0100",
                            "2026-11-27T10:05:00+24:00",
                            "2026-11-27T10:05:00Z ",
                            "26-11-27T10:05:00Z",
                            "2026-1-27T10:05:00Z",
                            "+2026-11-27T10:05:00Z"}) {
        INFO(bad);
        REQUIRE_FALSE(parse_rfc3339(bad).has_value());
    }
    REQUIRE(parse_rfc3339("2024-02-29T00:00:00Z").has_value());
    REQUIRE(parse_rfc3339("2000-02-29T00:00:00Z").has_value());
}

TEST_CASE("time: civil days round trip") {
    REQUIRE(days_from_civil(1970, 1, 1) == 0);
    REQUIRE(days_from_civil(2000, 3, 1) == 11017);
    REQUIRE(days_from_civil(1969, 12, 31) == -1);
    for (std::int64_t d = -800000; d <= 800000; d += 37) {
        int y = 0;
        unsigned m = 0, day = 0;
        civil_from_days(d, y, m, day);
        REQUIRE(days_from_civil(y, m, day) == d);
    }
}

TEST_CASE("time: month_range_utc") {
    const auto dec = month_range_utc("2026-12");
    REQUIRE(dec.has_value());
    REQUIRE(dec->first == *parse_rfc3339("2026-12-01T00:00:00Z"));
    REQUIRE(dec->second == *parse_rfc3339("2027-01-01T00:00:00Z"));
    const auto feb = month_range_utc("2024-02");
    REQUIRE(feb->second - feb->first == 29 * 86400);
    REQUIRE(month_range_utc("2026-02")->second - month_range_utc("2026-02")->first == 28 * 86400);
    for (const char* bad : {"2026-13", "2026-00", "2026-1", "2026-12-01", "202612", ""}) {
        INFO(bad);
        REQUIRE_FALSE(month_range_utc(bad).has_value());
    }
}
