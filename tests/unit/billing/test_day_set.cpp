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
    days.insert(20'039);  // last day of the mask
    days.insert(20'040);  // first day past it: the fallback
    days.insert(19'999);  // before the first day inserted: the fallback
    days.insert(20'040);
    days.insert(19'999);
    CHECK(days.size() == 5);
    days.insert_mask(20'000, 0b101U);  // 20,000 and 20,002
    CHECK(days.size() == 6);
    days.insert_mask(20'030, 0xFFFF'FFFFU);  // 20,030..20,061: 10 in the mask, 22 past it
    CHECK(days.size() == 6 + 32 - 3);        // 20,030, 20,039 and 20,040 were there already
    days.insert_mask(20'008, 0x8000'0000U);  // 20,039 (bit 31 at the mask's last bit)
    CHECK(days.size() == 35);
    days.insert_mask(20'009, 0x8000'0000U);  // 20,040: one bit past the mask
    CHECK(days.size() == 35);
    days.insert_mask(20'007, 0x8000'0000U);  // 20,038
    CHECK(days.size() == 35);
    days.insert(20'041);
    CHECK(days.size() == 35);
    days.release();
    CHECK(days.size() == 0);
    days.insert_mask(-40, 0b11U);  // a new base after release (days before 1970 too)
    days.insert(-41);
    CHECK(days.size() == 3);
}

TEST_CASE("day set keeps days too far for its base in the fallback", "[billing][days]") {
    DaySet days;
    days.insert(10'000'000);  // past the base's 24 bits: every day in the fallback
    days.insert(10'000'000);
    days.insert(20'000);
    days.insert_mask(20'000, 0b11U);
    CHECK(days.size() == 3);
    days.release();
    days.insert(-8'388'607);  // the lowest base
    days.insert(-8'388'600);
    days.insert(-8'388'608);  // before it
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
