// The HTTPS layer end to end in-process: a real SSLServer on 127.0.0.1:0 with the generated
// CA, a real httplib::SSLClient that verifies it (no insecure switch), real signed bodies.

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "live_server.h"
#include "pairing/messages.h"
#include "server/auth/admin_token.h"
#include "server/front/https_server.h"
#include "server/tls/local_ca.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;
namespace pairing = tally::pairing;

namespace {}  // namespace

TEST_CASE("HTTPS: pair, upload gzip batches, replay, refusals, retire", "[http]") {
    LiveServer live;
    TestDevice dev;
    auto paired = live.post("/v1/pair", pair_body(dev, live.f.code, wall_clock()), "", false);
    REQUIRE(paired);
    REQUIRE(paired->status == 200);
    auto pr = pairing::decode_pair_response(paired->body);
    REQUIRE(pr.ok());
    CHECK(pr->tenant == "acme");
    dev.device_id = pr->device_id;

    const auto now = wall_clock();
    const auto batch = dev.batch({dev.next_heartbeat(now - 300), dev.next_heartbeat(now)});
    // The signature covers the gzip bytes although the request says Content-Encoding: gzip.
    auto res = live.post("/v1/heartbeats", batch, dev.device_id);
    REQUIRE(res);
    INFO(res->body);
    REQUIRE(res->status == 200);
    auto ack = pairing::decode_ack(res->body);
    REQUIRE(ack.ok());
    CHECK(ack->acked_through == 2);
    CHECK(ack->accepted == 2);

    auto replay = live.post("/v1/heartbeats", batch, dev.device_id);
    REQUIRE(replay);
    REQUIRE(replay->status == 200);
    CHECK(pairing::decode_ack(replay->body)->duplicates == 2);
    CHECK(pairing::decode_ack(replay->body)->acked_through == 2);

    TestDevice intruder;
    auto forged = dev.batch({dev.next_heartbeat(now)});
    forged.signature = intruder.sign(forged.body).signature;
    auto bad_sig = live.post("/v1/heartbeats", forged, dev.device_id);
    CHECK(bad_sig->status == 401);
    CHECK(error_code(bad_sig) == "bad_signature");

    auto unknown = live.post("/v1/heartbeats", forged, "dev_doesnotexist");
    CHECK(unknown->status == 401);
    CHECK(error_code(unknown) == "unknown_device");

    auto bad_gzip = live.post("/v1/heartbeats", dev.sign("\x1f\x8bnot gzip"), dev.device_id);
    CHECK(bad_gzip->status == 400);
    CHECK(error_code(bad_gzip) == "bad_gzip");

    auto huge =
        live.post("/v1/heartbeats", dev.sign(std::string(5 * 1024 * 1024, 'x')), dev.device_id);
    REQUIRE(huge);
    CHECK(huge->status == 413);
    CHECK(error_code(huge) == "payload_too_large");

    // A chunked body (no Content-Length) is read under the same cap.
    const auto chunked_post = [&](const std::string& body, const std::string& signature) {
        return live.client()->Post(
            "/v1/heartbeats",
            {{pairing::kHeaderDevice, dev.device_id},
             {pairing::kHeaderSignature, signature},
             {"Content-Encoding", "gzip"}},
            [body](std::size_t, httplib::DataSink& sink) {
                for (std::size_t off = 0; off < body.size(); off += 64 * 1024) {
                    sink.write(body.data() + off,
                               std::min<std::size_t>(64 * 1024, body.size() - off));
                }
                sink.done();
                return true;
            },
            "application/json");
    };
    auto chunked = chunked_post(batch.body, batch.signature);
    REQUIRE(chunked);
    CHECK(chunked->status == 200);
    CHECK(pairing::decode_ack(chunked->body)->duplicates == 2);
    const auto big = dev.sign(std::string(5 * 1024 * 1024, 'y'));
    auto chunked_huge = chunked_post(big.body, big.signature);
    if (chunked_huge) {  // the server may close before the client has written everything
        CHECK(chunked_huge->status == 413);
    }

    auto nowhere = live.client()->Get("/v1/nowhere");
    CHECK(nowhere->status == 404);
    CHECK(error_code(nowhere) == "not_found");

    const auto retire =
        dev.sign(pairing::encode_retire_request({dev.device_id, wall_clock(), "uninstall"}));
    auto retired = live.post("/v1/retire", retire, dev.device_id, false);
    REQUIRE(retired);
    CHECK(retired->status == 200);
    CHECK(retired->body == "{\"retired\":true}");
    auto after = live.post("/v1/heartbeats", dev.batch({dev.next_heartbeat(now)}), dev.device_id);
    CHECK(after->status == 410);
    CHECK(error_code(after) == "device_retired");
    CHECK(live.f.counted() == 2);
}

TEST_CASE("HTTPS: pairing refusals are 403 with the protocol code", "[http]") {
    LiveServer live;
    TestDevice dev;
    ServerFixture elsewhere;
    auto res = live.post("/v1/pair", pair_body(dev, elsewhere.code, wall_clock()), "", false);
    REQUIRE(res);
    CHECK(res->status == 403);
    CHECK(error_code(res) == "invalid_code");
}

TEST_CASE("HTTPS: usage reports need an admin token of that tenant or a global one", "[http]") {
    LiveServer live;
    REQUIRE(live.f.store->add_tenant("other", wall_clock()).ok());
    TestDevice dev;
    live.f.pair(dev);
    const auto global = generate_admin_token();
    const auto acme = generate_admin_token();
    const auto other = generate_admin_token();
    REQUIRE(live.f.store->add_admin_token(hash_admin_token(global), std::nullopt, 0).ok());
    REQUIRE(live.f.store->add_admin_token(hash_admin_token(acme), "acme", 0).ok());
    REQUIRE(live.f.store->add_admin_token(hash_admin_token(other), "other", 0).ok());
    const std::string path = "/v1/tenants/acme/usage?month=2026-11";

    auto none = live.get(path, "");
    CHECK(none->status == 401);
    CHECK(error_code(none) == "unauthorized");
    auto wrong = live.get(path, "tat_not-a-real-token");
    CHECK(wrong->status == 401);
    auto forbidden = live.get(path, other);
    CHECK(forbidden->status == 403);
    CHECK(error_code(forbidden) == "forbidden");

    for (const auto& token : {global, acme}) {
        auto ok = live.get(path, token);
        REQUIRE(ok);
        CHECK(ok->status == 200);
        const auto doc = nlohmann::json::parse(ok->body);
        CHECK(doc["tenant"] == "acme");
        REQUIRE(doc["devices"].size() == 1);
        CHECK(doc["devices"][0]["device_id"] == dev.device_id);
    }
    auto csv = live.get("/v1/tenants/acme/usage.csv?month=2026-11", acme);
    REQUIRE(csv);
    CHECK(csv->status == 200);
    CHECK(csv->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
    CHECK(csv->body.find(dev.device_id) != std::string::npos);

    auto missing = live.get("/v1/tenants/nope/usage?month=2026-11", global);
    CHECK(missing->status == 404);
    CHECK(error_code(missing) == "not_found");
    auto bad_month = live.get("/v1/tenants/acme/usage?month=November", global);
    CHECK(bad_month->status == 400);
    CHECK(error_code(bad_month) == "bad_request");
}

TEST_CASE("HTTPS: a client that does not trust the CA cannot talk to the server", "[http]") {
    LiveServer live;
    TempDir other;
    auto foreign = create_local_tls(other.path(), wall_clock());
    REQUIRE(foreign.ok());
    httplib::SSLClient c("127.0.0.1", live.port);
    c.set_ca_cert_path(foreign->ca_cert.c_str());
    c.enable_server_certificate_verification(true);
    auto res = c.Get("/v1/nowhere");
    CHECK_FALSE(res);
    CHECK(res.error() == httplib::Error::SSLServerVerification);
}
