// Delivery guarantees on the server: held out-of-window heartbeats and their promotion,
// hash-chain breaks, declared gaps and forks as evidence in the usage report, revocation,
// and rate limiting (token buckets, and 429 + Retry-After over real HTTPS).

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <ctime>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "pairing/messages.h"
#include "server/front/https_server.h"
#include "server/http/rate_limiter.h"
#include "server/ingest/pair_gate.h"
#include "server/report/usage_json.h"
#include "server/report/usage_report.h"
#include "server/tls/local_ca.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;
namespace pairing = tally::pairing;

namespace {

std::string error_of(const tally::Result<UploadOutcome>& r) {
    return r ? "ok" : r.error().code;
}

nlohmann::json device_row(Store& store, const std::string& device_id) {
    auto report = build_usage_report(store, "acme", "2026-11", kNow);
    REQUIRE(report.ok());
    auto doc = nlohmann::json::parse(usage_to_json(*report));
    for (const auto& d : doc["devices"]) {
        if (d["device_id"] == device_id) {
            return d;
        }
    }
    FAIL("device not in the report");
    return {};
}

}  // namespace

TEST_CASE("a broken hash chain is recorded and flagged in the report", "[delivery]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    const auto a = dev.next_heartbeat(kNow - 600);
    dev.prev = std::string(64, 'a');  // the next heartbeat does not link to `a`
    const auto b = dev.next_heartbeat(kNow - 300);
    const auto c = dev.next_heartbeat(kNow);
    // Out of order on purpose: the break is found from either side.
    auto r = f.upload(dev, dev.batch({b, c}));
    REQUIRE(r.ok());
    CHECK(r->chain_breaks == 0);
    r = f.upload(dev, dev.batch({a}));
    REQUIRE(r.ok());
    CHECK(r->chain_breaks == 1);
    CHECK(r->ack.acked_through == 3);
    CHECK(f.count("SELECT seq FROM chain_breaks") == 2);
    auto row = device_row(*f.store, dev.device_id);
    CHECK(row["chain_breaks"] == 1);
    CHECK(row["heartbeats"] == 3);  // still counted: the chain is evidence, not a filter
    CHECK(row["flags"] == nlohmann::json::array({"chain_break"}));
}

TEST_CASE("declared gaps and forks are reconcilable in the usage report", "[delivery]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    dev.seq = 5;  // seqs 1..5 were dropped by a full spool; 3..5 declared twice
    const auto hb = dev.next_heartbeat(kNow - 300);
    auto r = f.upload(dev, dev.batch({hb}, {{1, 5, "spool_full"}, {3, 5, "spool_corrupt"}}));
    REQUIRE(r.ok());
    CHECK(r->ack.acked_through == 6);
    // A clone sends seq 6 again with different bytes.
    dev.seq = 5;
    dev.prev = std::string(64, 'b');
    const auto forked = dev.next_heartbeat(kNow - 300, 3);
    r = f.upload(dev, dev.batch({forked}));
    REQUIRE(r.ok());
    CHECK(r->forks == 1);
    auto row = device_row(*f.store, dev.device_id);
    CHECK(row["heartbeats"] == 1);  // counted once
    CHECK(row["last_seq"] == 6);
    CHECK(row["gaps"] == 5);  // union of the declared ranges
    CHECK(row["forks"] == 1);
    CHECK(row["suspected_clone"] == true);
    CHECK(row["flags"] == nlohmann::json::array({"suspected_clone", "declared_gaps"}));
}

TEST_CASE("a server_lost gap shows as lost by the server and is never billed", "[delivery]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    dev.seq = 4;  // 1..4 were acknowledged, then lost by a restore; 3..4 declared twice
    const auto hb = dev.next_heartbeat(kNow - 300);
    auto r = f.upload(dev, dev.batch({hb}, {{1, 4, "server_lost"}, {3, 4, "server_lost"}}));
    REQUIRE(r.ok());
    CHECK(r->ack.acked_through == 5);
    r = f.upload(dev, dev.batch({}, {{2, 2, "spool_full"}}));
    REQUIRE(r.ok());
    auto row = device_row(*f.store, dev.device_id);
    CHECK(row["heartbeats"] == 1);  // only what the server holds counts
    CHECK(row["gaps"] == 4);
    CHECK(row["lost_by_server"] == 4);
    CHECK(row["flags"] == nlohmann::json::array({"declared_gaps", "lost_by_server"}));
    auto e = f.store->device_evidence(dev.device_id);
    REQUIRE(e.ok());
    CHECK(e->lost_by_server == 4);
}

TEST_CASE("held out-of-window heartbeats are promoted by the same bytes, forked by others",
          "[delivery]") {
    ServerFixture f;
    TestDevice dev;
    f.pair(dev);
    const auto old = dev.next_heartbeat(kNow - 40 * 86400);
    auto r = f.upload(dev, dev.batch({old}));
    REQUIRE(r.ok());
    REQUIRE(r->ack.out_of_window == 1);
    auto decoded = pairing::decode_heartbeat(old);
    REQUIRE(decoded.ok());
    // What a standalone bundle import does: the same bytes, not held.
    auto stored = f.store->store_batch(dev.device_id, {{old, *decoded, false}}, {}, kNow);
    REQUIRE(stored.ok());
    CHECK(stored->accepted == 1);
    CHECK(f.count("SELECT count(*) FROM held_heartbeats") == 0);
    CHECK(f.counted() == 1);
    auto evidence = f.store->device_evidence(dev.device_id);
    REQUIRE(evidence.ok());
    CHECK(evidence->held == 0);
}

TEST_CASE("a revoked device gets device_revoked, a retired one device_retired", "[delivery]") {
    ServerFixture f;
    TestDevice revoked;
    TestDevice retired;
    f.pair(revoked);
    f.pair(retired);
    REQUIRE(f.store->retire_device(revoked.device_id, "revoked", kNow).ok());
    REQUIRE(f.store->retire_device(retired.device_id, "uninstall", kNow).ok());
    CHECK(error_of(f.upload(revoked, revoked.batch({revoked.next_heartbeat(kNow)}))) ==
          "device_revoked");
    CHECK(error_of(f.upload(retired, retired.batch({retired.next_heartbeat(kNow)}))) ==
          "device_retired");
    auto row = device_row(*f.store, revoked.device_id);
    CHECK(row["flags"] == nlohmann::json::array({"revoked"}));
}

TEST_CASE("rate limiter: burst, refill, Retry-After, bounded keys", "[delivery]") {
    RateLimiter limiter(RateLimit{3, 0.5}, 2);
    CHECK_FALSE(limiter.take("a", 100.0));
    CHECK_FALSE(limiter.take("a", 100.0));
    CHECK_FALSE(limiter.take("a", 100.0));
    auto wait = limiter.take("a", 100.0);
    REQUIRE(wait);
    CHECK(*wait == 2);                      // one token at 0.5/s
    CHECK_FALSE(limiter.take("a", 102.1));  // refilled
    CHECK_FALSE(limiter.take("b", 102.1));  // another key has its own bucket
    CHECK(limiter.take("c", 102.1));        // map full and no bucket idle: refused
    CHECK_FALSE(limiter.take("c", 200.0));  // later the idle buckets are dropped
    RateLimiter peeking(RateLimit{1, 0.5}, 1);
    CHECK_FALSE(peeking.peek("p", 10.0));  // a new key starts full; peek takes nothing
    CHECK_FALSE(peeking.take("p", 10.0));
    CHECK(peeking.peek("p", 10.0) == 2);
    CHECK(peeking.peek("q", 10.0) == 1);   // map full, no bucket idle: a newcomer is refused
    CHECK_FALSE(peeking.peek("q", 20.0));  // "p" refilled and dropped: room again
    RateLimiter unlimited(RateLimit{0, 0});
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(unlimited.take("x", 0));
    }
}

TEST_CASE("HTTPS: pairing attempts over the limit get 429 with Retry-After", "[delivery]") {
    ServerFixture f;
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    auto files = create_local_tls(f.dir.path() / "tls", now);
    REQUIRE(files.ok());
    f.options.pair_burst = 2;
    f.options.pair_per_second = 0.01;
    std::signal(SIGPIPE, SIG_IGN);  // the cpp-httplib client writes with write()
    auto made = HttpsServer::create(files->server_cert, files->server_key, *f.store, f.options,
                                    [] { return static_cast<std::int64_t>(std::time(nullptr)); });
    REQUIRE(made.ok());
    auto server = std::move(*made);
    auto port = server->bind("127.0.0.1", 0);
    REQUIRE(port.ok());
    std::thread thread([&] { server->run(); });
    for (int i = 0; i < 500 && !server->running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    httplib::SSLClient client("127.0.0.1", *port);
    client.set_ca_cert_path(files->ca_cert.c_str());
    client.enable_server_certificate_verification(true);
    std::vector<int> statuses;
    std::string retry_after;
    for (int i = 0; i < 3; ++i) {
        TestDevice dev;
        auto body = pair_body(dev, "TLY-0000-0000-0000-0000", now);
        auto res = client.Post("/v1/pair", {{pairing::kHeaderSignature, body.signature}}, body.body,
                               "application/json");
        REQUIRE(res);
        statuses.push_back(res->status);
        retry_after = res->get_header_value("Retry-After");
    }
    server->stop();
    thread.join();
    CHECK(statuses[0] == 403);  // a wrong code is refused by the handler...
    CHECK(statuses[1] == 403);
    CHECK(statuses[2] == 429);  // ...and the third guess never reaches it
    CHECK(std::stoi(retry_after) >= 1);
}

TEST_CASE("pair gate: failed attempts limited per address, valid pairings only by a ceiling",
          "[delivery][pairing]") {
    PairGate gate(PairLimits{30, 0.5, 1000, 10});
    const std::string nat = "203.0.113.7";
    // 500 devices behind one address, all within the same second: none refused.
    for (int i = 0; i < 500; ++i) {
        REQUIRE_FALSE(gate.admit(nat, 100.0));
        gate.record(nat, "", 100.0);
    }
    // A guesser at the same address: 30 wrong codes, then 429 for 2 s per further try.
    for (int i = 0; i < 30; ++i) {
        REQUIRE_FALSE(gate.admit(nat, 100.0));
        gate.record(nat,
                    i % 3 == 0   ? "invalid_code"
                    : i % 3 == 1 ? "code_expired"
                                 : "code_exhausted",
                    100.0);
    }
    const auto wait = gate.admit(nat, 100.0);
    REQUIRE(wait);
    CHECK(*wait == 2);
    CHECK_FALSE(gate.admit(nat, 102.0));  // one attempt earned back
    // Another address is not affected; the server's own failures do not count.
    CHECK_FALSE(gate.admit("198.51.100.1", 100.0));
    for (int i = 0; i < 100; ++i) {
        gate.record("198.51.100.2", "db", 100.0);
    }
    CHECK_FALSE(gate.admit("198.51.100.2", 100.0));
    CHECK(PairGate::counts_as_failure("bad_signature"));
    CHECK_FALSE(PairGate::counts_as_failure(""));
}

TEST_CASE("pair gate: the valid-pairing ceiling holds a runaway installer", "[delivery][pairing]") {
    PairGate gate(PairLimits{30, 0.5, 1000, 10});
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(gate.admit("10.0.0.1", 50.0));
        gate.record("10.0.0.1", "", 50.0);
    }
    const auto wait = gate.admit("10.0.0.1", 50.0);
    REQUIRE(wait);
    CHECK(*wait == 1);
    CHECK_FALSE(gate.admit("10.0.0.1", 50.1));  // 10 per second after the burst
}
