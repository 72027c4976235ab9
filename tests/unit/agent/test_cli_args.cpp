// Command-line parsing: commands, global options anywhere, usage errors.

#include <catch2/catch.hpp>

#include "agent/cli/cli_args.h"

using namespace tally::agent;

TEST_CASE("commands and options parse", "[cli]") {
    auto a =
        parse_args({"pair", "--server", "https://s:1", "--code", "TLY-X", "--ca-file", "ca.pem",
                    "--device-type", "personal", "--config", "c.json", "--state-dir", "st"});
    REQUIRE(a.ok());
    CHECK(a->command == Command::pair);
    CHECK(a->server == "https://s:1");
    CHECK(a->code == "TLY-X");
    CHECK(a->ca_file == "ca.pem");
    CHECK(a->device_type == "personal");
    CHECK(a->config_path == std::filesystem::path("c.json"));
    CHECK(a->state_dir == std::filesystem::path("st"));

    auto s = parse_args({"--status", "--json"});
    REQUIRE(s.ok());
    CHECK(s->command == Command::status);
    CHECK(s->json);
    CHECK(parse_args({"--config", "x", "status"})->command == Command::status);
    CHECK(parse_args({"run", "--standalone"})->standalone);
    CHECK(parse_args({"probe", "--json"})->json);
    CHECK(parse_args({"--version"})->command == Command::version);
}

TEST_CASE("usage errors", "[cli]") {
    CHECK_FALSE(parse_args({}).ok());
    CHECK_FALSE(parse_args({"frobnicate"}).ok());
    CHECK_FALSE(parse_args({"status", "--verbose"}).ok());
    CHECK_FALSE(parse_args({"pair", "--server", "https://s"}).ok());
    CHECK_FALSE(parse_args({"status", "--config"}).ok());
    CHECK_FALSE(parse_args({"run", "--json"}).ok());
    CHECK_FALSE(parse_args({"status", "--standalone"}).ok());
    CHECK_FALSE(parse_args({"status", "--code", "x"}).ok());
    CHECK_FALSE(parse_args({"status", "probe"}).ok());
    auto e = parse_args({"--state-dir"});
    REQUIRE_FALSE(e.ok());
    CHECK_THAT(e.error().message, Catch::Contains("--state-dir"));
}
