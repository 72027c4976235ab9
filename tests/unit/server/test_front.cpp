// The HTTPS front (server/front/): strict framing, header/body/connection limits, deadlines,
// keep-alive and graceful stop, against the real server over real TLS, plus the pure parts.

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "live_server.h"
#include "pairing/gzip.h"
#include "server/front/framing.h"
#include "server/front/message.h"
#include "server/http/event_log.h"

using namespace tally::server;
using namespace tally::server::test;
namespace pairing = tally::pairing;

namespace {

Headers headers(std::initializer_list<std::pair<std::string, std::string>> list) {
    Headers h;
    for (const auto& [k, v] : list) {
        h.emplace(k, v);
    }
    return h;
}

std::string code_of(const std::optional<tally::Error>& e) {
    return e ? e->code : std::string("ok");
}

std::string request(const std::string& head, const std::string& body = "") {
    return head + "\r\n" + body;
}

//! Sends `bytes` on a fresh connection; the response (status 0 when the server just closed).
RawResponse roundtrip(const LiveServer& live, const std::string& bytes) {
    RawClient c(live.port, live.ca);
    REQUIRE(c.ok());
    c.send(bytes);
    auto res = c.read_response();
    return res ? *res : RawResponse{};
}

std::string error_of(const RawResponse& res) {
    const auto err = pairing::decode_error(res.body);
    return err ? err->error : std::string("(no error body)");
}

}  // namespace

TEST_CASE("front framing: one way to find the body's end, one gzip at most", "[front]") {
    CHECK(code_of(check_framing(headers({{"Content-Length", "3"}}))) == "ok");
    CHECK(code_of(check_framing(headers({{"Transfer-Encoding", "chunked"}}))) == "ok");
    CHECK(code_of(check_framing(headers({{"Content-Encoding", "gzip"}}))) == "ok");
    CHECK(code_of(check_framing(headers({{"content-length", "3"}, {"Content-Length", "3"}}))) ==
          "bad_request");
    CHECK(code_of(check_framing(headers(
              {{"Content-Length", "3"}, {"Transfer-Encoding", "chunked"}}))) == "bad_request");
    CHECK(code_of(check_framing(headers({{"Transfer-Encoding", "gzip, chunked"}}))) ==
          "bad_request");
    CHECK(code_of(check_framing(headers(
              {{"Content-Encoding", "gzip"}, {"Content-Encoding", "gzip"}}))) == "bad_request");
    CHECK(code_of(check_framing(headers({{"Content-Encoding", "gzip, gzip"}}))) == "bad_request");
    CHECK(code_of(check_framing(headers({{"Content-Encoding", "br"}}))) == "bad_request");
    CHECK(code_of(check_framing(headers({{"Tally-Signature", "a"}, {"tally-signature", "b"}}))) ==
          "bad_request");
    Headers many;
    for (int i = 0; i < 65; ++i) {
        many.emplace("X-H" + std::to_string(i), "v");
    }
    CHECK(code_of(check_framing(many)) == "header_too_large");
    many.erase("X-H0");
    CHECK(code_of(check_framing(many)) == "ok");
}

TEST_CASE("front messages: url decoding, parameters, escaped log lines", "[front]") {
    CHECK(url_decode("a%20b+c", true) == "a b c");
    CHECK(url_decode("a%20b+c", false) == "a b+c");
    CHECK(url_decode("bad%zz%2", false) == "bad%zz%2");
    std::multimap<std::string, std::string> params;
    parse_url_params("month=2026-11&tenant=ac%26me&&flag", params);
    CHECK(params.find("month")->second == "2026-11");
    CHECK(params.find("tenant")->second == "ac&me");
    CHECK(params.count("flag") == 1);
    CHECK(escape_for_log("dev\n2026-01-01T00:00:00Z forged\x1b[2J\\") ==
          "dev\\x0a2026-01-01T00:00:00Z forged\\x1b[2J\\x5c");
    CHECK(escape_for_log("plain é") == "plain é");
}

TEST_CASE("front: lax framing and oversized headers are refused on the wire", "[front]") {
    LiveServer live;
    const std::string host = "Host: 127.0.0.1\r\n";
    auto res = roundtrip(live, request("POST /v1/pair HTTP/1.1\r\n" + host +
                                           "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
                                       "2\r\n{}\r\n0\r\n\r\n"));
    CHECK(res.status == 400);
    res = roundtrip(live, request("POST /v1/pair HTTP/1.1\r\n" + host +
                                      "Content-Length: 2\r\nContent-Length: 2\r\n",
                                  "{}"));
    CHECK(res.status == 400);
    // The gzip bomb's header: repeated Content-Encoding, refused before any body is read.
    res = roundtrip(live, request("POST /v1/heartbeats HTTP/1.1\r\n" + host +
                                      "Tally-Device: dev_x\r\nTally-Signature: x\r\n"
                                      "Content-Encoding: gzip\r\nContent-Encoding: gzip\r\n"
                                      "Content-Length: 2\r\n",
                                  "{}"));
    CHECK(res.status == 400);
    CHECK(error_of(res) == "bad_request");
    res = roundtrip(live, request("POST /v1/heartbeats HTTP/1.1\r\n" + host +
                                      "Content-Encoding: gzip, gzip\r\nContent-Length: 2\r\n",
                                  "{}"));
    CHECK(res.status == 400);
    res = roundtrip(live, request("POST /v1/heartbeats HTTP/1.1\r\n" + host +
                                      "Tally-Signature: a\r\nTally-Signature: b\r\n"
                                      "Content-Length: 2\r\n",
                                  "{}"));
    CHECK(res.status == 400);
    res = roundtrip(live, request("GET /v1/tenants HTTP/1.1\r\n" + host +
                                  "X-Big: " + std::string(20 * 1024, 'a') + "\r\n"));
    CHECK(res.status == 431);
    std::string many;
    for (int i = 0; i < 80; ++i) {
        many += "X-H" + std::to_string(i) + ": v\r\n";
    }
    res = roundtrip(live, request("GET /v1/tenants HTTP/1.1\r\n" + host + many));
    CHECK(res.status == 431);
    CHECK(error_of(res) == "header_too_large");
}

TEST_CASE("front: bodies are bounded per route before authentication", "[front]") {
    LiveServer live;
    const std::string host = "Host: 127.0.0.1\r\n";
    // A declared length over the route's limit: 413 without reading a byte of it.
    auto res = roundtrip(
        live, request("POST /v1/pair HTTP/1.1\r\n" + host + "Content-Length: 5000000\r\n"));
    CHECK(res.status == 413);
    CHECK(error_of(res) == "payload_too_large");
    // A chunked body on a route that takes none (the admin API before its 401).
    res = roundtrip(
        live, request("GET /v1/tenants HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n",
                      "5\r\nhello\r\n0\r\n\r\n"));
    CHECK(res.status == 413);
    // A chunked body that grows past the small-route limit (64 KiB), unauthenticated.
    RawClient c(live.port, live.ca);
    REQUIRE(c.ok());
    c.send("POST /v1/retire HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n");
    const std::string chunk = "4000\r\n" + std::string(0x4000, 'z') + "\r\n";
    for (int i = 0; i < 8 && c.send(chunk); ++i) {
    }
    auto chunked = c.read_response();
    REQUIRE(chunked);
    CHECK(chunked->status == 413);
}

TEST_CASE("front: keep-alive answers several requests on one connection", "[front]") {
    LiveServer live;
    RawClient c(live.port, live.ca);
    REQUIRE(c.ok());
    for (int i = 0; i < 3; ++i) {
        REQUIRE(c.send("GET /v1/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        auto res = c.read_response();
        REQUIRE(res);
        CHECK(res->status == 404);
        CHECK(res->connection != "close");
    }
    REQUIRE(c.send("POST /v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"));
    auto res = c.read_response();
    REQUIRE(res);
    CHECK(res->status == 401);  // the route exists; no admin token
}

TEST_CASE("front: connections are counted per client address", "[front]") {
    FrontLimits limits;
    limits.max_connections_per_address = 3;
    LiveServer live(limits);
    std::vector<std::unique_ptr<IdleSocket>> idle;
    for (int i = 0; i < 3; ++i) {
        idle.push_back(std::make_unique<IdleSocket>(live.port, "127.0.0.3"));
        REQUIRE(idle.back()->connected());
    }
    // Wait until the three are accepted and counted, then the fourth is closed at once.
    for (int i = 0; i < 500 && live.server->connections() < 3; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    REQUIRE(live.server->connections() == 3);
    IdleSocket fourth(live.port, "127.0.0.3");
    CHECK(fourth.closed_by_server(std::chrono::seconds(30)));
    // Another address is served meanwhile.
    auto res = roundtrip(live, "GET /v1/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    CHECK(res.status == 404);
}

TEST_CASE("front: idle, handshake-less and slow-header connections are closed", "[front]") {
    FrontLimits limits;
    limits.handshake_timeout = std::chrono::milliseconds(300);
    limits.header_timeout = std::chrono::milliseconds(300);
    LiveServer live(limits);
    IdleSocket idle(live.port);
    REQUIRE(idle.connected());
    CHECK(idle.closed_by_server(std::chrono::seconds(30)));
    RawClient slow(live.port, live.ca);
    REQUIRE(slow.ok());
    slow.send("GET /v1/tenants HTTP/1.1\r\nHost: 127.");  // and never the rest
    CHECK(slow.wait_closed());
}

TEST_CASE("front: stop lets a request in flight finish, then closes", "[front]") {
    LiveServer live;
    RawClient c(live.port, live.ca);
    REQUIRE(c.ok());
    REQUIRE(c.send("POST /v1/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n\r\n{"));
    // Let the server read that header (the request is then in flight): a round trip on
    // another connection after it, and a pause. Then stop with the body incomplete.
    CHECK(roundtrip(live, "GET /v1/nowhere HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status == 404);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    IdleSocket idle(live.port);
    live.server->stop();
    REQUIRE(c.send("\"\":1"));
    auto res = c.read_response();
    REQUIRE(res);
    CHECK(res->status == 401);
    CHECK(res->connection == "close");
    CHECK(idle.closed_by_server(std::chrono::seconds(30)));
}

TEST_CASE("front: a gzip bomb is inflated only after the signature, and only up to the cap",
          "[front]") {
    LiveServer live;
    TestDevice dev;
    live.f.pair(dev);
    // ~100 KB of gzip that inflates to 64 MiB (the cap is 16 MiB).
    const std::string bomb = pairing::gzip_compress(std::string(64 * 1024 * 1024, '\0'), 9);
    REQUIRE(bomb.size() < 200 * 1024);
    TestDevice stranger;
    auto forged = live.post("/v1/heartbeats", stranger.sign(bomb), dev.device_id);
    REQUIRE(forged);
    CHECK(forged->status == 401);  // refused before inflating
    auto signed_bomb = live.post("/v1/heartbeats", dev.sign(bomb), dev.device_id);
    REQUIRE(signed_bomb);
    CHECK(signed_bomb->status == 413);
    CHECK(error_code(signed_bomb) == "payload_too_large");
}

TEST_CASE("front: unsigned requests cannot drain a device's upload bucket", "[front]") {
    IngestOptions options;
    options.upload_burst = 2;
    options.upload_per_second = 0.0001;
    LiveServer live({}, options);
    TestDevice dev;
    live.f.pair(dev);
    TestDevice forger;
    const auto now = wall_clock();
    for (int i = 0; i < 5; ++i) {
        const auto forged = forger.sign(pairing::gzip_compress("{}"));
        auto res = live.post("/v1/heartbeats", forged, dev.device_id);
        REQUIRE(res);
        CHECK(res->status == 401);
    }
    TestDevice& real = dev;
    for (int i = 0; i < 2; ++i) {
        auto res = live.post("/v1/heartbeats", real.batch({real.next_heartbeat(now - 600 + i)}),
                             real.device_id);
        REQUIRE(res);
        INFO(res->body);
        CHECK(res->status == 200);
    }
    // The third signed batch is over the burst: the limit itself still works.
    auto over = live.post("/v1/heartbeats", real.batch({real.next_heartbeat(now)}), real.device_id);
    REQUIRE(over);
    CHECK(over->status == 429);
    CHECK(over->has_header("Retry-After"));
}
