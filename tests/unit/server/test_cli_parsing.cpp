// Command-line pieces: options, durations, listen addresses.

#include <catch2/catch.hpp>

#include <filesystem>

#include "server/cli/args.h"
#include "server/cli/command.h"
#include "server/cli/listen_address.h"
#include "server/domain/duration.h"
#include "server_fixture.h"

using namespace tally::server::cli;
using tally::server::domain::parse_duration_seconds;

TEST_CASE("options with values, both spellings; unknown options are usage errors", "[cli]") {
    auto a = parse_args({"usage", "--tenant", "acme", "--month=2026-11", "-o", "f.csv"},
                        {"tenant", "month", "o"});
    REQUIRE(a.ok());
    CHECK(a->positional == std::vector<std::string>{"usage"});
    CHECK(a->get("tenant") == "acme");
    CHECK(a->get("month") == "2026-11");
    CHECK(a->get("o") == "f.csv");
    CHECK_FALSE(a->get("format"));
    CHECK(parse_args({"--bogus", "1"}, {"tenant"}).error().code == "usage");
    CHECK(parse_args({"--tenant"}, {"tenant"}).error().code == "usage");
    CHECK(parse_args({"--tenant", "a", "--tenant", "b"}, {"tenant"}).error().code == "usage");
}

TEST_CASE("durations", "[cli]") {
    CHECK(parse_duration_seconds("30d") == 30 * 86400);
    CHECK(parse_duration_seconds("12h") == 12 * 3600);
    CHECK(parse_duration_seconds("90m") == 90 * 60);
    CHECK(parse_duration_seconds("1s") == 1);
    CHECK_FALSE(parse_duration_seconds("7"));
    CHECK_FALSE(parse_duration_seconds("d"));
    CHECK_FALSE(parse_duration_seconds("-1d"));
    CHECK_FALSE(parse_duration_seconds("0d"));
    CHECK_FALSE(parse_duration_seconds("1w"));
    CHECK_FALSE(parse_duration_seconds("99999999999d"));
}

TEST_CASE("listen addresses", "[cli]") {
    auto v4 = parse_listen_address("127.0.0.1:0");
    REQUIRE(v4.ok());
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 0);
    CHECK(v4->with_port(8443) == "127.0.0.1:8443");
    auto v6 = parse_listen_address("[::1]:8443");
    REQUIRE(v6.ok());
    CHECK(v6->host == "::1");
    CHECK(v6->with_port(8443) == "[::1]:8443");
    CHECK(parse_listen_address("localhost:8443").ok());
    CHECK_FALSE(parse_listen_address("::1:8443").ok());
    CHECK_FALSE(parse_listen_address("127.0.0.1").ok());
    CHECK_FALSE(parse_listen_address("127.0.0.1:70000").ok());
    CHECK_FALSE(parse_listen_address("127.0.0.1:").ok());
}

TEST_CASE("a command given --db opens that store and makes no data dir", "[cli]") {
    tally::server::test::TempDir tmp;
    const auto absent = tmp.path() / "data";
    const auto db = tmp.path() / "elsewhere.db";
    auto args = parse_args(
        {"tenant", "list", "--data-dir", absent.string(), "--db", "sqlite:" + db.string()},
        {"data-dir", "db"});
    REQUIRE(args.ok());
    auto store = store_for(*args);
    REQUIRE(store.ok());
    CHECK(std::filesystem::exists(db));
    CHECK_FALSE(std::filesystem::exists(absent));
    // Without --db the data dir is made (0700) and holds the database.
    auto plain = parse_args({"tenant", "list", "--data-dir", absent.string()}, {"data-dir"});
    REQUIRE(plain.ok());
    REQUIRE(store_for(*plain).ok());
    CHECK(std::filesystem::exists(absent / "tally.db"));
    CHECK(store_for(*parse_args({"x", "--db", "mysql://x"}, {"db"})).error().code == "usage");
}
