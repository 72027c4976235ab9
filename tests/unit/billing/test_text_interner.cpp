// TextIndex (server/store/text_index.h): the position of each distinct text of a TextTable, as a
// report's reader renumbers the principals of the other reader's half.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "server/store/text_index.h"
#include "server/store/text_table.h"

using tally::server::TextTable;
using tally::server::detail::TextIndex;

TEST_CASE("text index: every text at its position, absent ones not found", "[text_index]") {
    TextTable texts;
    for (int i = 0; i < 50000; ++i) {
        // Short and long (heap) texts, some sharing long prefixes.
        texts.push_back(i % 3 == 0 ? "user" + std::to_string(i)
                                   : "DOMAIN\\a.rather.long.principal.name." + std::to_string(i));
    }
    const TextIndex index(texts);
    for (std::uint32_t i = 0; i < texts.size(); ++i) {
        const auto at = index.find(texts[i]);
        REQUIRE(at.has_value());
        CHECK(*at == i);
    }
    CHECK_FALSE(index.find("user1").has_value());  // 1 % 3 != 0: made long
    CHECK_FALSE(index.find("").has_value());
    CHECK_FALSE(index.find("user50001").has_value());
}

TEST_CASE("text index: an empty vector, and texts appended after indexing", "[text_index]") {
    TextTable texts;
    const TextIndex empty(texts);
    CHECK_FALSE(empty.find("x").has_value());

    for (const char* t : {"alice", "bob", ""}) {
        texts.push_back(t);
    }
    const TextIndex index(texts);
    CHECK(index.find("") == 2u);
    CHECK(index.find("bob") == 1u);
    texts.push_back("carol");  // the bytes may move: the index keeps positions, not addresses
    CHECK_FALSE(index.find("carol").has_value());
    CHECK(index.find("alice") == 0u);
}
