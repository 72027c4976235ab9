// pairing/PROTOCOL.md's MUSTs that a client written from the document alone found the server
// answering otherwise: each answered with the code the document names.

#include <catch2/catch.hpp>

#include "live_server.h"
#include "pairing/bytes.h"
#include "pairing/messages.h"
#include "server/ingest/pair_handler.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;
namespace pairing = tally::pairing;

TEST_CASE("protocol: a public key that is not a point on P-256 is 400, not 401", "[protocol]") {
    ServerFixture f;
    TestDevice dev;
    auto r = *pairing::decode_pair_request(pair_body(dev, f.code).body);
    auto point = dev.key.public_key();
    point[64] ^= 0x01;  // Y changed: 0x04 || X || Y' is (with overwhelming odds) off the curve
    r.public_key = pairing::base64url_encode(point);
    const auto body = dev.sign(pairing::encode_pair_request(r));
    auto resp = handle_pair(*f.store, body.body, body.signature, kNow, f.options);
    REQUIRE_FALSE(resp.ok());
    CHECK(resp.error().code == "bad_request");
    CHECK_THAT(resp.error().message, Catch::Contains("not a point on the P-256 curve"));
}

TEST_CASE("protocol: heartbeats of a batch must be in ascending seq", "[protocol]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    const auto one = dev.next_heartbeat(kNow - 600);
    const auto two = dev.next_heartbeat(kNow - 300);
    const auto three = dev.next_heartbeat(kNow);
    for (const auto& order :
         std::vector<std::vector<std::string>>{{two, one}, {one, one}, {one, three, two}}) {
        auto r = f.upload(dev, dev.batch(order));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "bad_request");
        CHECK_THAT(r.error().message, Catch::Contains("ascending seq"));
    }
    CHECK(f.counted() == 0);  // nothing of them stored
    CHECK(f.upload(dev, dev.batch({one, two, three})).ok());
}

TEST_CASE("protocol: a repeated Tally-Signature header is 400", "[protocol]") {
    LiveServer live;
    TestDevice dev;
    live.f.pair(dev);
    const auto batch = dev.batch({dev.next_heartbeat(wall_clock())});
    RawClient c(live.port, live.ca);
    REQUIRE(c.ok());
    c.send("POST /v1/heartbeats HTTP/1.1\r\nHost: 127.0.0.1\r\nTally-Device: " + dev.device_id +
           "\r\nTally-Signature: " + batch.signature + "\r\nTally-Signature: " + batch.signature +
           "\r\nContent-Encoding: gzip\r\nContent-Length: " + std::to_string(batch.body.size()) +
           "\r\n\r\n" + batch.body);
    auto res = c.read_response();
    REQUIRE(res);
    CHECK(res->status == 400);
    CHECK(pairing::decode_error(res->body)->error == "bad_request");
}
