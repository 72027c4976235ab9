// /ui sessions: ids are random and unguessable from the token, expire idle and absolute,
// end on sign-out, and their number is bounded.

#include <catch2/catch.hpp>

#include <set>

#include "server/ui/session_store.h"

using tally::server::ui::SessionStore;

TEST_CASE("a session is found by its id only and carries the token hash") {
    SessionStore store;
    const auto id = store.create("hash-a", 1000);
    CHECK(id.size() == 43);  // 32 random bytes, base64url
    CHECK(id.find("hash-a") == std::string::npos);
    const auto s = store.touch(id, 1001);
    REQUIRE(s);
    CHECK(s->token_hash == "hash-a");
    CHECK_FALSE(store.touch("", 1001));
    CHECK_FALSE(store.touch(id + "x", 1001));
    CHECK_FALSE(store.touch("hash-a", 1001));
}

TEST_CASE("ids differ between sessions of the same token") {
    SessionStore store;
    std::set<std::string> ids;
    for (int i = 0; i < 50; ++i) {
        ids.insert(store.create("hash-a", 1000));
    }
    CHECK(ids.size() == 50);
}

TEST_CASE("idle expiry: use keeps a session alive, a pause of kIdleSeconds ends it") {
    SessionStore store;
    const auto id = store.create("h", 0);
    const auto idle = SessionStore::kIdleSeconds;
    REQUIRE(store.touch(id, idle - 1));
    REQUIRE(store.touch(id, 2 * idle - 2));  // idle timer restarted by the previous use
    CHECK_FALSE(store.touch(id, 3 * idle - 2));
    CHECK_FALSE(store.touch(id, 3 * idle - 3));  // once gone, gone
}

TEST_CASE("absolute expiry: kMaxAgeSeconds after sign-in even while in use") {
    SessionStore store;
    const auto id = store.create("h", 0);
    std::int64_t t = 0;
    while (t + 600 < SessionStore::kMaxAgeSeconds) {
        t += 600;
        REQUIRE(store.touch(id, t));
    }
    CHECK_FALSE(store.touch(id, SessionStore::kMaxAgeSeconds));
}

TEST_CASE("a clock that goes back before sign-in ends the session") {
    SessionStore store;
    const auto id = store.create("h", 5000);
    CHECK_FALSE(store.touch(id, 4999));
}

TEST_CASE("sign-out removes the session") {
    SessionStore store;
    const auto a = store.create("h", 0);
    const auto b = store.create("h", 0);
    store.remove(a);
    CHECK_FALSE(store.touch(a, 1));
    CHECK(store.touch(b, 1));
    store.remove("unknown");
    CHECK(store.size(1) == 1);
}

TEST_CASE("at most kMaxSessions: expired ones go first, then the oldest") {
    SessionStore store;
    const auto first = store.create("h", 0);
    for (std::size_t i = 1; i < SessionStore::kMaxSessions; ++i) {
        store.create("h", 10);
    }
    CHECK(store.size(10) == SessionStore::kMaxSessions);
    const auto newest = store.create("h", 20);
    CHECK(store.size(20) == SessionStore::kMaxSessions);
    CHECK_FALSE(store.touch(first, 21));
    CHECK(store.touch(newest, 21));
    // Past the idle time everything but a fresh session is gone.
    const auto later = store.create("h", 10 + SessionStore::kIdleSeconds + 30);
    CHECK(store.size(10 + SessionStore::kIdleSeconds + 30) == 1);
    CHECK(store.touch(later, 10 + SessionStore::kIdleSeconds + 31));
}
