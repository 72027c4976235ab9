// OutcomeTexts (server/billing/outcome_texts.h): each text stored once, id 0 is "", views stay
// valid across growth, blocks, a move of the table and a seal.

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "server/billing/outcome_texts.h"

using tally::server::billing::OutcomeTexts;

TEST_CASE("outcome texts intern each text once and keep its bytes", "[billing][texts]") {
    OutcomeTexts texts;
    CHECK(texts.size() == 1);
    CHECK(texts.intern("") == 0);
    CHECK(texts[0].empty());
    std::vector<std::string> made;
    std::vector<std::uint32_t> ids;
    for (int i = 0; i < 50'000; ++i) {  // many rehashes and blocks
        made.push_back("local:dev_" + std::to_string(i * 7919) + "/itadmin");
        ids.push_back(texts.intern(made.back()));
    }
    const std::string big(100'000, 'x');  // longer than a block
    const auto big_id = texts.intern(big);
    const std::string edge(127, 'y');  // the longest text with a one-byte length
    const std::string edge2(128, 'y');
    const auto edge_id = texts.intern(edge);
    const auto edge2_id = texts.intern(edge2);
    const auto first_view = texts[ids[0]];
    OutcomeTexts moved = std::move(texts);
    CHECK(moved.size() == 50'004);
    CHECK(moved[edge_id] == edge);
    CHECK(moved[edge2_id] == edge2);
    CHECK(moved[ids[0]].data() == first_view.data());  // the bytes did not move
    CHECK(moved[big_id] == big);
    for (std::size_t i = 0; i < made.size(); ++i) {
        REQUIRE(moved[ids[i]] == made[i]);
        REQUIRE(moved.intern(made[i]) == ids[i]);
    }
    CHECK(ids[1] != ids[2]);
    moved.seal();
    CHECK(moved[ids[7]] == made[7]);
    CHECK(moved.intern(made[7]) == ids[7]);  // the index made again
    CHECK(moved.intern("new after seal") == 50'004);
    CHECK(moved.intern("") == 0);
}
