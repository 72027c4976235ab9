// Pooled lists (server/billing/pooled_lists.h): many lists in one pool, newest first, across
// blocks, found and changed in place, freed whole.

#include <catch2/catch.hpp>

#include <cstdint>
#include <utility>
#include <vector>

#include "server/billing/pooled_lists.h"

using tally::server::billing::kEmptyList;
using tally::server::billing::PooledLists;

namespace {

std::vector<std::uint32_t> values(const PooledLists<std::uint32_t>& pool, std::uint32_t head) {
    std::vector<std::uint32_t> out;
    pool.each(head, [&](std::uint32_t v) { out.push_back(v); });
    return out;
}

}  // namespace

TEST_CASE("pooled lists keep each list apart, newest first, across blocks", "[billing][lists]") {
    PooledLists<std::uint32_t> pool;
    std::vector<std::uint32_t> heads(3, kEmptyList);
    CHECK(pool.front(heads[0]) == nullptr);
    CHECK(values(pool, heads[0]).empty());
    std::vector<std::vector<std::uint32_t>> expected(3);
    for (std::uint32_t i = 0; i < 10000; ++i) {  // several 4,096-node blocks
        const auto list = i % 3 == 2 ? 2 : i % 2;
        pool.push(heads[list], i);
        expected[list].insert(expected[list].begin(), i);
        REQUIRE(*pool.front(heads[list]) == i);
    }
    for (std::size_t list = 0; list < 3; ++list) {
        CHECK(values(pool, heads[list]) == expected[list]);
    }
    pool.release();
    std::uint32_t fresh = kEmptyList;
    pool.push(fresh, 42);
    CHECK(values(pool, fresh) == std::vector<std::uint32_t>{42});
}

TEST_CASE("pooled lists find a value and change it in place", "[billing][lists]") {
    PooledLists<std::pair<std::uint32_t, std::int64_t>> pool;
    std::uint32_t head = kEmptyList;
    pool.push(head, {1, 10});
    pool.push(head, {2, 20});
    auto* two = pool.find_if(head, [](const auto& e) { return e.first == 2; });
    REQUIRE(two != nullptr);
    two->second += 5;
    CHECK(pool.find_if(head, [](const auto& e) { return e.first == 3; }) == nullptr);
    std::vector<std::pair<std::uint32_t, std::int64_t>> seen;
    pool.each(head, [&](const auto& e) { seen.push_back(e); });
    CHECK(seen == std::vector<std::pair<std::uint32_t, std::int64_t>>{{2, 25}, {1, 10}});
}
