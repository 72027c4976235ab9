// `tally-agent pair --wait`: which answers are retried (429/503 after Retry-After, connection
// failures with backoff), which end the wait at once (refused codes, TLS), and the deadline.
// A scripted transport and a fake clock: no real time passes.

#include <catch2/catch.hpp>
#include <deque>
#include <functional>

#include "agent/cli/cli_args.h"
#include "agent/pair/pair_retry.h"

using namespace tally::agent;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

TransportResult http(int status, std::string body = "{}", std::string retry_after = "") {
    TransportResult r;
    r.response.status = status;
    r.response.body = std::move(body);
    if (!retry_after.empty()) {
        r.response.headers.emplace_back("retry-after", retry_after);
    }
    return r;
}

TransportResult failed(TransportError e) {
    TransportResult r;
    r.error = e;
    r.message = "scripted";
    return r;
}

class ScriptedTransport : public HttpTransport {
  public:
    explicit ScriptedTransport(std::deque<TransportResult> script) : script_(std::move(script)) {}
    void configure(const TransportOptions&) override {}
    TransportResult send(const HttpRequest& request) override {
        nonces.push_back(request.body);
        auto r = script_.size() > 1 ? script_.front() : script_.back();
        if (script_.size() > 1) {
            script_.pop_front();
        }
        return r;
    }
    std::vector<std::string> nonces;

  private:
    std::deque<TransportResult> script_;
};

struct FakeTime {
    std::chrono::steady_clock::time_point t{};
    std::vector<milliseconds> sleeps;
    PairWait wait(seconds total) {
        PairWait w;
        w.wait = total;
        w.now = [this] { return t; };
        w.sleep = [this](milliseconds d) {
            sleeps.push_back(d);
            t += d;
        };
        w.random01 = [] { return 0.5; };
        return w;
    }
};

int counter = 0;
HttpRequest fresh_request() {
    HttpRequest r;
    r.url = "https://s/v1/pair";
    r.body = "request " + std::to_string(++counter);
    return r;
}

//! One attempt: a fresh request sent by `t`.
std::function<tally::Result<TransportResult>()> fresh_attempt(ScriptedTransport& t) {
    return [&t]() -> tally::Result<TransportResult> { return t.send(fresh_request()); };
}

}  // namespace

TEST_CASE("pair --wait: 429 and 503 are retried after Retry-After until paired", "[pair]") {
    ScriptedTransport t({http(429, "{}", "2"), http(503, "{}", "7"), http(200, "{\"ok\":1}")});
    FakeTime time;
    int attempts = 0;
    milliseconds waited{0};
    auto r = send_pair_with_wait(fresh_attempt(t), time.wait(seconds(300)), attempts, waited);
    REQUIRE(r.ok());
    CHECK(r->response.status == 200);
    CHECK(attempts == 3);
    CHECK(time.sleeps == std::vector<milliseconds>{seconds(2), seconds(7)});
    CHECK(waited == seconds(9));
    CHECK(t.nonces[0] != t.nonces[1]);  // each attempt is a new request (fresh nonce, time)
}

TEST_CASE("pair --wait: connection failures are retried with backoff", "[pair]") {
    ScriptedTransport t({failed(TransportError::connect), failed(TransportError::timeout),
                         failed(TransportError::resolve), http(200)});
    FakeTime time;
    int attempts = 0;
    milliseconds waited{0};
    auto r = send_pair_with_wait(fresh_attempt(t), time.wait(seconds(300)), attempts, waited);
    REQUIRE(r.ok());
    CHECK(r->response.status == 200);
    CHECK(attempts == 4);
    // Full jitter at 0.5 of base 1 s doubling: 0.5 s, 1 s, 2 s.
    CHECK(time.sleeps == std::vector<milliseconds>{milliseconds(500), seconds(1), seconds(2)});
}

TEST_CASE("pair --wait: definitive refusals end the wait at once", "[pair]") {
    for (const auto& refusal :
         {http(403, "{\"error\":\"invalid_code\"}"), http(410, "{\"error\":\"code_expired\"}"),
          http(403, "{\"error\":\"code_exhausted\"}"), http(403, "{\"error\":\"tenant_inactive\"}"),
          http(400, "{\"error\":\"bad_request\"}"), failed(TransportError::tls),
          failed(TransportError::bad_url)}) {
        ScriptedTransport t({refusal, http(200)});
        FakeTime time;
        int attempts = 0;
        milliseconds waited{0};
        auto r = send_pair_with_wait(fresh_attempt(t), time.wait(seconds(300)), attempts, waited);
        REQUIRE(r.ok());
        CHECK(attempts == 1);
        CHECK(time.sleeps.empty());
        CHECK(r->error == refusal.error);
        CHECK(r->response.status == refusal.response.status);
    }
}

TEST_CASE("pair --wait: the wait bounds the retries; 0 is one attempt", "[pair]") {
    SECTION("a server that stays busy") {
        ScriptedTransport t({http(429, "{}", "10")});
        FakeTime time;
        int attempts = 0;
        milliseconds waited{0};
        auto r = send_pair_with_wait(fresh_attempt(t), time.wait(seconds(35)), attempts, waited);
        REQUIRE(r.ok());
        CHECK(r->response.status == 429);
        CHECK(attempts == 4);  // at 0, 10, 20, 30 s; the next would be past 35 s
        CHECK(waited == seconds(30));
    }
    SECTION("a Retry-After past the wait is not cut short") {
        ScriptedTransport t({http(503, "{}", "600"), http(200)});
        FakeTime time;
        int attempts = 0;
        milliseconds waited{0};
        auto r = send_pair_with_wait(fresh_attempt(t), time.wait(seconds(300)), attempts, waited);
        REQUIRE(r.ok());
        CHECK(r->response.status == 503);
        CHECK(attempts == 1);
    }
    SECTION("--wait 0") {
        ScriptedTransport t({failed(TransportError::connect), http(200)});
        FakeTime time;
        int attempts = 0;
        milliseconds waited{0};
        auto r = send_pair_with_wait(fresh_attempt(t), time.wait(seconds(0)), attempts, waited);
        REQUIRE(r.ok());
        CHECK(r->error == TransportError::connect);
        CHECK(attempts == 1);
    }
}

TEST_CASE("pair --wait: a request that cannot be made is an error, not retried", "[pair]") {
    ScriptedTransport t({http(200)});
    FakeTime time;
    int attempts = 0;
    milliseconds waited{0};
    auto r = send_pair_with_wait(
        [] { return tally::Result<TransportResult>(tally::make_error("key", "no key")); },
        time.wait(seconds(300)), attempts, waited);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "key");
    CHECK(t.nonces.empty());
}

TEST_CASE("pair --wait parses: default 300, whole seconds, pair only", "[pair][cli]") {
    auto a = parse_args({"pair", "--server", "https://s", "--code", "TLY-X"});
    REQUIRE(a.ok());
    CHECK_FALSE(a->wait_s.has_value());
    CHECK(kPairWaitDefault == seconds(300));
    auto b = parse_args({"pair", "--server", "https://s", "--code", "TLY-X", "--wait", "45"});
    REQUIRE(b.ok());
    CHECK(b->wait_s == 45);
    CHECK(parse_args({"pair", "--server", "https://s", "--code", "TLY-X", "--wait", "0"})->wait_s ==
          0);
    for (const char* bad : {"-1", "30s", "", "1e3", "86401", "9999999"}) {
        auto r = parse_args({"pair", "--server", "https://s", "--code", "TLY-X", "--wait", bad});
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == "usage");
    }
    CHECK_FALSE(parse_args({"status", "--wait", "5"}).ok());
}
