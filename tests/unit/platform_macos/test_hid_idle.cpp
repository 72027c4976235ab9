// HIDIdleTime (nanoseconds, IOHIDSystem) → seconds. Values: the unit is nanoseconds
// (dssw.co.uk, "Idle Time and Inactivity on macOS", divides ioreg's value by 1000000000);
// the >> 30 shortcut seen in public snippets (danandcheryl.com, 2010) divides by 2^30 and
// under-reports by 7 %, which the 1000·2^30 case would catch.

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "platform/macos/hid_idle.h"

using tally::platform::hid_idle_seconds;
using tally::platform::hid_idle_seconds_from_data;

TEST_CASE("HIDIdleTime nanoseconds become whole seconds, rounded down") {
    CHECK(hid_idle_seconds(0) == 0);
    CHECK(hid_idle_seconds(999'999'999) == 0);
    CHECK(hid_idle_seconds(1'000'000'000) == 1);
    CHECK(hid_idle_seconds(4'007'110'000) == 4);                  // "4.00711" s in a public snippet
    CHECK(hid_idle_seconds(1'073'741'824'000) == 1073);           // not 1000 (>> 30)
    CHECK(hid_idle_seconds(86'400LL * 1'000'000'000) == 86'400);  // a day untouched
    CHECK(hid_idle_seconds(INT64_MAX) == INT64_MAX / 1'000'000'000);
    CHECK_FALSE(hid_idle_seconds(-1).has_value());
}

TEST_CASE("the CFData form: 8 bytes in host (little-endian) order") {
    // 300.5 s = 300'500'000'000 ns = 0x45F7321D00 (little-endian below).
    const std::vector<std::uint8_t> le = {0x00, 0x1D, 0x32, 0xF7, 0x45, 0x00, 0x00, 0x00};
    CHECK(hid_idle_seconds_from_data(le) == 300);
    CHECK_FALSE(hid_idle_seconds_from_data(std::vector<std::uint8_t>(4, 0)).has_value());
    CHECK_FALSE(hid_idle_seconds_from_data(std::vector<std::uint8_t>(9, 0)).has_value());
    const std::vector<std::uint8_t> negative(8, 0xFF);
    CHECK_FALSE(hid_idle_seconds_from_data(negative).has_value());
}
