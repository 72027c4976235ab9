// DaySet (server/billing/day_set.h): the days of a month in a mask, any other day in its
// fallback; its size is always the number of distinct days inserted.

#include <catch2/catch.hpp>

#include <random>
#include <set>

#include "server/billing/day_set.h"

using tally::server::billing::DaySet;

TEST_CASE("day set counts distinct days in and outside its mask", "[billing][days]") {
    DaySet days;
    CHECK(days.size() == 0);
    days.insert(20'000);
    days.insert(20'000);
    days.insert(20'030);
    CHECK(days.size() == 2);
    days.insert(20'063);  // last day of the mask
    days.insert(20'064);  // first day past it: the fallback
    days.insert(19'999);  // before the first day inserted: the fallback
    days.insert(20'064);
    days.insert(19'999);
    CHECK(days.size() == 5);
    days.insert_mask(20'000, 0b101U);  // 20,000 and 20,002
    CHECK(days.size() == 6);
    days.insert_mask(20'050, 0xFFFF'FFFFU);  // 20,050..20,081: 14 in the mask, 18 past it
    CHECK(days.size() == 6 + 13 + 17);       // 20,063 and 20,064 were there already
    days.release();
    CHECK(days.size() == 0);
    days.insert_mask(-40, 0b11U);  // a new base after release (days before 1970 too)
    days.insert(-41);
    CHECK(days.size() == 3);
}

TEST_CASE("day set equals a set of days over random windows", "[billing][days]") {
    std::mt19937 rng(20261206);
    for (int round = 0; round < 300; ++round) {
        DaySet days;
        std::set<std::int64_t> expected;
        const std::int64_t base = 19'000 + static_cast<std::int64_t>(rng() % 2000);
        const auto width = static_cast<std::int64_t>(1 + rng() % (round % 3 == 0 ? 200 : 31));
        const int inserts = static_cast<int>(rng() % 60);
        for (int k = 0; k < inserts; ++k) {
            const auto first = base + static_cast<std::int64_t>(rng() % width);
            if (rng() % 2 == 0) {
                days.insert(first);
                expected.insert(first);
                continue;
            }
            const auto mask = static_cast<std::uint32_t>(rng()) & static_cast<std::uint32_t>(rng());
            days.insert_mask(first, mask);
            for (int bit = 0; bit < 32; ++bit) {
                if ((mask >> bit) & 1U) {
                    expected.insert(first + bit);
                }
            }
        }
        REQUIRE(days.size() == expected.size());
    }
}
