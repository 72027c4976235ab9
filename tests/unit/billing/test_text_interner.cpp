// TextTable (server/store/text_table.h) and TextInterner (server/store/text_interner.h): a
// report's principals end to end in one buffer, interned by each reader and renumbered when
// the two readers' halves are merged.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "server/store/text_interner.h"
#include "server/store/text_table.h"

using tally::server::TextTable;
using tally::server::detail::TextInterner;

namespace {

std::string text_of(int i) {
    // Short and long (heap) texts, many sharing long prefixes.
    return i % 3 == 0 ? "user" + std::to_string(i)
                      : "DOMAIN\\a.rather.long.principal.name." + std::to_string(i);
}

}  // namespace

TEST_CASE("text table: texts end to end, empty ones included", "[text_interner]") {
    TextTable t;
    CHECK(t.empty());
    for (const char* s : {"alice", "", "bob", ""}) {
        t.push_back(s);
    }
    REQUIRE(t.size() == 4);
    CHECK(t[0] == "alice");
    CHECK(t[1].empty());
    CHECK(t[2] == "bob");
    CHECK(t[3].empty());
    TextTable same;
    for (const char* s : {"alice", "", "bob", ""}) {
        same.push_back(s);
    }
    CHECK(t == same);
    same.push_back("x");
    CHECK_FALSE(t == same);
}

TEST_CASE("text interner: each distinct text once, in the order first seen", "[text_interner]") {
    TextInterner in;
    for (int i = 0; i < 50000; ++i) {  // grows through many rehashes
        REQUIRE(in.intern(text_of(i)) == static_cast<std::uint32_t>(i));
    }
    for (int i = 49999; i >= 0; i -= 7) {  // interned again: the same position, nothing added
        REQUIRE(in.intern(text_of(i)) == static_cast<std::uint32_t>(i));
    }
    CHECK(in.texts().size() == 50000);
    CHECK(in.intern("") == 50000);
    CHECK(in.intern("") == 50000);
    const auto table = in.take();
    CHECK(table.size() == 50001);
    CHECK(table[12] == text_of(12));
    CHECK(in.texts().empty());
    CHECK(in.intern("again") == 0);  // an empty interner after take
}

TEST_CASE("text interner: from a table, its texts keep their positions", "[text_interner]") {
    TextTable lower;
    for (const char* s : {"carol", "alice", "bob"}) {
        lower.push_back(s);
    }
    TextInterner in(std::move(lower));
    // The upper half's principals, renumbered: known ones found, new ones appended in order.
    CHECK(in.intern("bob") == 2);
    CHECK(in.intern("dave") == 3);
    CHECK(in.intern("carol") == 0);
    CHECK(in.intern("erin") == 4);
    CHECK(in.intern("dave") == 3);
    const auto t = in.take();
    REQUIRE(t.size() == 5);
    CHECK(t[3] == "dave");
    CHECK(t[4] == "erin");
}
