// OptionalTime (server/store/optional_time.h): std::optional<std::int64_t>'s answers in 8 bytes.
#include <catch2/catch.hpp>

#include <limits>
#include <optional>

#include "server/store/billing_records.h"
#include "server/store/optional_time.h"

using tally::server::HeartbeatUserFact;
using tally::server::OptionalTime;

TEST_CASE("optional time: none, a time, and back to none", "[optional_time]") {
    OptionalTime t;
    CHECK_FALSE(t.has_value());
    CHECK_FALSE(static_cast<bool>(t));
    CHECK(t.value_or(42) == 42);

    for (const std::int64_t v :
         {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1764547200},
          std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min() + 1}) {
        t = v;
        CHECK(t.has_value());
        CHECK(*t == v);
        CHECK(t.value_or(42) == v);
    }
    t = std::nullopt;
    CHECK_FALSE(t.has_value());
    CHECK(sizeof(OptionalTime) == 8);
    CHECK(sizeof(HeartbeatUserFact) == 40);
}
