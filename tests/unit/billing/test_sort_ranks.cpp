// Sort ranks (server/billing/sort_ranks.h): a rank orders exactly as its text, equal texts
// share a rank, with the devices already by id (the store's order) or not.

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "server/billing/sort_ranks.h"

using tally::server::BillingDevice;
using tally::server::billing::device_id_ranks;
using tally::server::billing::OutcomeTexts;
using tally::server::billing::text_ranks;

namespace {

std::vector<BillingDevice> devices_with(const std::vector<std::string>& ids) {
    std::vector<BillingDevice> devices(ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
        devices[i].id = ids[i];
    }
    return devices;
}

//! Every pair of ranks compares as its pair of texts.
template <typename Text>
void check_order(const std::vector<std::uint32_t>& rank, const std::vector<std::uint32_t>& ids,
                 Text text) {
    for (const auto a : ids) {
        for (const auto b : ids) {
            CHECK((rank[a] < rank[b]) == (text(a) < text(b)));
            CHECK((rank[a] == rank[b]) == (text(a) == text(b)));
        }
    }
}

}  // namespace

TEST_CASE("device ranks order as the device ids", "[billing][ranks]") {
    std::mt19937 random(7);
    std::vector<std::string> ids;
    for (int i = 0; i < 200; ++i) {
        ids.push_back("dev_" + std::to_string(random() % 150));  // repeats on purpose
    }
    for (const bool sorted : {false, true}) {
        if (sorted) {
            std::sort(ids.begin(), ids.end());
        }
        const auto devices = devices_with(ids);
        const auto rank = device_id_ranks(devices);
        REQUIRE(rank.size() == devices.size());
        std::vector<std::uint32_t> all(devices.size());
        for (std::uint32_t i = 0; i < all.size(); ++i) {
            all[i] = i;
        }
        check_order(rank, all, [&](std::uint32_t i) { return devices[i].id; });
        if (sorted) {
            CHECK(rank.front() == 0);
            CHECK(std::is_sorted(rank.begin(), rank.end()));
        }
    }
    CHECK(device_id_ranks({}).empty());
}

TEST_CASE("text ranks order as the texts named, repeats allowed", "[billing][ranks]") {
    OutcomeTexts texts;
    std::vector<std::uint32_t> named;
    for (const char* t : {"bob", "Alice", "", "alice", "bob", "zed", "al"}) {
        named.push_back(texts.intern(t));
    }
    const auto unnamed = texts.intern("aaa");  // not ranked: left 0
    const auto rank = text_ranks(texts, named);
    REQUIRE(rank.size() == texts.size());
    check_order(rank, named, [&](std::uint32_t id) { return texts[id]; });
    CHECK(rank[texts.intern("")] == 0);
    CHECK(rank[texts.intern("zed")] == 5);  // "", Alice, al, alice, bob, zed
    CHECK(rank[unnamed] == 0);
}
