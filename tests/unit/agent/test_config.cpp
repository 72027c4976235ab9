// Config: defaults, file keys, environment overrides, unknown keys and bad values.

#include <catch2/catch.hpp>
#include <fstream>

#include "agent/config.h"
#include "temp_dir.h"

using tally::agent::Config;
using tally::agent::load_config;

namespace {
std::filesystem::path write(const tally::test::TempDir& dir, const std::string& text) {
    auto p = dir.path() / "agent.json";
    std::ofstream(p) << text;
    return p;
}
}  // namespace

TEST_CASE("config defaults when the default file is missing", "[config]") {
    tally::test::TempDir dir;
    auto c = load_config(dir.path() / "absent.json", false, {});
    REQUIRE(c.ok());
    CHECK(c->sample_interval_s == 60);
    CHECK(c->heartbeat_interval_s == 300);
    CHECK(c->upload_interval_s == 3600);
    CHECK(c->idle_threshold_s == 300);
    CHECK(c->batch_max == 500);
    CHECK(c->spool_max_bytes == 32ull << 20);
    CHECK(c->role == "workstation");
    CHECK(c->mode == "paired");
}

TEST_CASE("an explicitly given missing config file is an error", "[config]") {
    tally::test::TempDir dir;
    auto c = load_config(dir.path() / "absent.json", true, {});
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.error().message, Catch::Contains("absent.json"));
}

TEST_CASE("config file values are read", "[config]") {
    tally::test::TempDir dir;
    auto p = write(dir, R"({"role":"server","sample_interval_s":1,"pin_server_key":true,
                            "server_url":"https://tally.example:8443","spool_max_bytes":100000})");
    auto c = load_config(p, true, {});
    REQUIRE(c.ok());
    CHECK(c->role == "server");
    CHECK(c->sample_interval_s == 1);
    CHECK(c->pin_server_key);
    CHECK(c->server_url == "https://tally.example:8443");
    CHECK(c->spool_max_bytes == 100000);
}

TEST_CASE("an unknown key names the key and the file", "[config]") {
    tally::test::TempDir dir;
    auto p = write(dir, R"({"sample_interval_s":1,"samplee_interval":2})");
    auto c = load_config(p, true, {});
    REQUIRE_FALSE(c.ok());
    CHECK_THAT(c.error().message, Catch::Contains("unknown config key 'samplee_interval'"));
    CHECK_THAT(c.error().message, Catch::Contains(p.string()));
}

TEST_CASE("bad values name the key and what is expected", "[config]") {
    tally::test::TempDir dir;
    struct Case {
        const char* json;
        const char* key;
    } cases[] = {
        {R"({"role":"toaster"})", "'role'"},
        {R"({"device_type":"corporate"})", "'device_type'"},
        {R"({"mode":"offline"})", "'mode'"},
        {R"({"user_identity":"secret"})", "'user_identity'"},
        {R"({"server_url":"http://plain.example"})", "'server_url'"},
        {R"({"sample_interval_s":0})", "'sample_interval_s'"},
        {R"({"heartbeat_interval_s":-5})", "'heartbeat_interval_s'"},
        {R"({"upload_interval_s":"900"})", "'upload_interval_s'"},
        {R"({"pin_server_key":"yes"})", "'pin_server_key'"},
        {R"({"idle_threshold_s":1.5})", "'idle_threshold_s'"},
        {R"({"user_identity":"hashed"})", "'user_identity_salt'"},
        {R"({"sample_interval_s":99999999999})", "'sample_interval_s'"},
    };
    for (const auto& c : cases) {
        INFO(c.json);
        auto r = load_config(write(dir, c.json), true, {});
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains(c.key));
        CHECK_THAT(r.error().message, Catch::Contains("expected") || Catch::Contains("required"));
    }
}

TEST_CASE("malformed JSON is a clear error", "[config]") {
    tally::test::TempDir dir;
    auto r = load_config(write(dir, "{\"role\": "), true, {});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("not valid JSON"));
}

TEST_CASE("environment variables override the file", "[config]") {
    tally::test::TempDir dir;
    auto p = write(dir, R"({"role":"server","upload_interval_s":60})");
    auto c = load_config(p, true,
                         {{"TALLY_ROLE", "kiosk"},
                          {"TALLY_SAMPLE_INTERVAL_S", "5"},
                          {"TALLY_PIN_SERVER_KEY", "true"},
                          {"TALLY_SERVER", "/usr/bin/tally-server"}});  // not a config key
    REQUIRE(c.ok());
    CHECK(c->role == "kiosk");
    CHECK(c->sample_interval_s == 5);
    CHECK(c->upload_interval_s == 60);
    CHECK(c->pin_server_key);
}

TEST_CASE("bad environment values name the variable", "[config]") {
    auto r = load_config({}, false, {{"TALLY_BATCH_MAX", "lots"}});
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("batch_max"));
    CHECK_THAT(r.error().message, Catch::Contains("TALLY_BATCH_MAX"));
    auto r2 = load_config({}, false, {{"TALLY_ROLE", "toaster"}});
    REQUIRE_FALSE(r2.ok());
    CHECK_THAT(r2.error().message, Catch::Contains("'role'"));
}

TEST_CASE("save_config round-trips", "[config]") {
    tally::test::TempDir dir;
    Config c;
    c.role = "kiosk";
    c.server_url = "https://a.example";
    c.batch_max = 7;
    REQUIRE(tally::agent::save_config(c, dir.path() / "out.json").ok());
    auto back = load_config(dir.path() / "out.json", true, {});
    REQUIRE(back.ok());
    CHECK(back->role == "kiosk");
    CHECK(back->server_url == "https://a.example");
    CHECK(back->batch_max == 7);
}
