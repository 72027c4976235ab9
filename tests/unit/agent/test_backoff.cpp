// Backoff: full jitter within [0, min(cap, base * 2^n)], Retry-After honoured and capped.

#include <catch2/catch.hpp>

#include "agent/upload/backoff.h"

using tally::agent::Backoff;
using namespace std::chrono;

TEST_CASE("backoff ceilings double from 5 s up to the 1 h cap", "[backoff]") {
    Backoff top(seconds(5), seconds(3600), [] { return 0.999999; });
    std::int64_t expected_ceiling_ms = 5000;
    for (int i = 0; i < 20; ++i) {
        auto d = top.next_delay();
        INFO("failure " << i);
        CHECK(d.count() <= std::min<std::int64_t>(expected_ceiling_ms, 3'600'000));
        CHECK(d.count() >= std::min<std::int64_t>(expected_ceiling_ms, 3'600'000) * 99 / 100);
        expected_ceiling_ms *= 2;
    }
    CHECK(top.next_delay() <= milliseconds(3'600'000));
}

TEST_CASE("backoff is full jitter: zero is possible, reset starts over", "[backoff]") {
    Backoff low(seconds(5), seconds(3600), [] { return 0.0; });
    CHECK(low.next_delay() == milliseconds(0));
    Backoff half(seconds(5), seconds(3600), [] { return 0.5; });
    CHECK(half.next_delay() == milliseconds(2500));
    CHECK(half.next_delay() == milliseconds(5000));
    CHECK(half.failures() == 2);
    half.reset();
    CHECK(half.next_delay() == milliseconds(2500));
}

TEST_CASE("the default random source stays within bounds", "[backoff]") {
    Backoff b;
    for (int i = 0; i < 40; ++i) {
        auto d = b.next_delay();
        CHECK(d >= milliseconds(0));
        CHECK(d <= milliseconds(3'600'000));
    }
}

TEST_CASE("Retry-After wins and is capped", "[backoff]") {
    Backoff b(seconds(5), seconds(3600), [] { return 0.0; });
    CHECK(b.next_delay(seconds(42)) == milliseconds(42'000));
    CHECK(b.next_delay(seconds(99999)) == milliseconds(3'600'000));
    CHECK(b.cap_delay() == milliseconds(3'600'000));
    CHECK(tally::agent::parse_retry_after("120") == seconds(120));
    CHECK_FALSE(tally::agent::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"));
    CHECK_FALSE(tally::agent::parse_retry_after(""));
    CHECK_FALSE(tally::agent::parse_retry_after("-5"));
}
