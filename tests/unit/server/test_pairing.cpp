// POST /v1/pair logic against a real SQLite store with real signed requests.

#include <catch2/catch.hpp>

#include "server/ingest/pair_handler.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {
std::string error_of(const tally::Result<tally::pairing::PairResponse>& r) {
    return r.ok() ? "ok" : r.error().code;
}
}  // namespace

TEST_CASE("pairing with a valid code creates a device and answers the policy", "[pair]") {
    ServerFixture f;
    TestDevice dev;
    const auto req = pair_body(dev, f.code);
    auto resp = handle_pair(*f.store, req.body, req.signature, kNow, f.options);
    REQUIRE(resp.ok());
    CHECK(resp->device_id.rfind("dev_", 0) == 0);
    CHECK(resp->device_id.size() == 24);
    CHECK(resp->tenant == "acme");
    CHECK(resp->server_time == kNow);
    CHECK(resp->policy.heartbeat_interval_s == 300);
    CHECK(resp->acked_through == 0);
    CHECK(f.count("SELECT uses_left FROM pairing_codes") == 4);
    auto device = f.store->find_device(resp->device_id);
    REQUIRE(device.ok());
    REQUIRE(device->has_value());
    CHECK((*device)->public_key == std::string(tally::pairing::as_chars(dev.key.public_key())));
    CHECK((*device)->facts.hostname == "pc-17");
}

TEST_CASE("the same key pairing twice gets the same device and uses no code", "[pair]") {
    ServerFixture f;
    TestDevice dev;
    const auto first = pair_body(dev, f.code);
    auto a = handle_pair(*f.store, first.body, first.signature, kNow, f.options);
    const auto second = pair_body(dev, f.code);  // new nonce, same key
    auto b = handle_pair(*f.store, second.body, second.signature, kNow + 5, f.options);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->device_id == b->device_id);
    CHECK(f.count("SELECT uses_left FROM pairing_codes") == 4);
    CHECK(f.count("SELECT count(*) FROM devices") == 1);
}

TEST_CASE("pairing refusals name the reason and register nothing", "[pair]") {
    ServerFixture f;
    TestDevice dev;

    SECTION("unknown code") {
        ServerFixture elsewhere;  // its codes are unknown to f
        const auto req = pair_body(dev, elsewhere.code);
        CHECK(error_of(handle_pair(*f.store, req.body, req.signature, kNow, f.options)) ==
              "invalid_code");
    }
    SECTION("expired code") {
        const auto code = f.make_code("acme", 5, kNow - 1);
        const auto req = pair_body(dev, code);
        CHECK(error_of(handle_pair(*f.store, req.body, req.signature, kNow, f.options)) ==
              "code_expired");
    }
    SECTION("exhausted code") {
        const auto code = f.make_code("acme", 1);
        TestDevice first;
        const auto ok = pair_body(first, code);
        REQUIRE(handle_pair(*f.store, ok.body, ok.signature, kNow, f.options).ok());
        const auto req = pair_body(dev, code);
        CHECK(error_of(handle_pair(*f.store, req.body, req.signature, kNow, f.options)) ==
              "code_exhausted");
        CHECK(f.count("SELECT count(*) FROM devices") == 1);
        return;
    }
    SECTION("inactive tenant") {
        REQUIRE(f.store->set_tenant_status("acme", "inactive").ok());
        const auto req = pair_body(dev, f.code);
        CHECK(error_of(handle_pair(*f.store, req.body, req.signature, kNow, f.options)) ==
              "tenant_inactive");
    }
    SECTION("signature by another key") {
        TestDevice intruder;
        auto req = pair_body(dev, f.code);
        req.signature = intruder.sign(req.body).signature;
        CHECK(error_of(handle_pair(*f.store, req.body, req.signature, kNow, f.options)) ==
              "bad_signature");
    }
    SECTION("missing signature") {
        const auto req = pair_body(dev, f.code);
        CHECK(error_of(handle_pair(*f.store, req.body, "", kNow, f.options)) == "bad_signature");
    }
    SECTION("clock too far off") {
        const auto req = pair_body(dev, f.code, kNow - 11 * 60);
        auto r = handle_pair(*f.store, req.body, req.signature, kNow, f.options);
        CHECK(error_of(r) == "bad_request");
        CHECK_THAT(r.error().message, Catch::Contains("clock"));
    }
    SECTION("malformed body") {
        const auto req = dev.sign("{\"code\":1}");
        CHECK(error_of(handle_pair(*f.store, req.body, req.signature, kNow, f.options)) ==
              "bad_request");
    }
    CHECK(f.count("SELECT count(*) FROM devices") == 0);
    CHECK(f.count("SELECT uses_left FROM pairing_codes WHERE expires_at > 1794744000 "
                  "ORDER BY id LIMIT 1") == 5);
}
