// Heartbeat builder: labels, chain position, minutes, and a partial close that still
// encodes and decodes as a valid heartbeat.

#include <catch2/catch.hpp>

#include "agent/heartbeat/heartbeat_builder.h"
#include "pairing/heartbeat.h"

using namespace tally::agent;
using std::chrono::seconds;

TEST_CASE("builder closes an interval into a valid chained heartbeat", "[heartbeat]") {
    HeartbeatBuilder b(ActivityPolicy{300, false, false, ""});
    auto t0 = SteadyTime{} + seconds(77);
    b.open(1'800'000'000, t0);
    SessionSample s;
    s.user = s.principal = "alice";
    s.kind = SessionKind::ssh;
    s.state = "active";
    s.idle_s = 3;
    s.locked = false;
    CHECK(b.add_sample({s}, t0 + seconds(30)) == std::vector<std::string>{"alice"});
    HostFacts host;
    host.boot_id = "boot-1";
    host.uptime_s = 1234;
    ChainPosition chain{7, std::string(64, 'a')};
    auto hb = b.close(t0 + seconds(300), chain, host);
    CHECK_FALSE(b.is_open());
    CHECK(hb.seq == 7);
    CHECK(hb.prev == std::string(64, 'a'));
    CHECK(hb.start == 1'800'000'000);
    CHECK(hb.end == 1'800'000'300);
    CHECK(hb.boot_id == "boot-1");
    CHECK(hb.uptime_s == 1234);
    CHECK(hb.device_active_minutes == 1);
    REQUIRE(hb.users.size() == 1);
    CHECK(hb.users[0].kind == "ssh");
    auto decoded = tally::pairing::decode_heartbeat(tally::pairing::encode_heartbeat(hb));
    REQUIRE(decoded.ok());
    CHECK(*decoded == hb);
}

TEST_CASE("a partial close shorter than a second still has end > start", "[heartbeat]") {
    HeartbeatBuilder b(ActivityPolicy{300, true, false, ""});
    auto t0 = SteadyTime{};
    b.open(1'800'000'000, t0);
    auto hb = b.close(t0 + std::chrono::milliseconds(200), ChainPosition{}, HostFacts{});
    CHECK(hb.end == hb.start + 1);
    CHECK(hb.device_active_minutes == 1);
    CHECK(hb.seq == 1);
    CHECK(hb.prev == tally::pairing::kGenesisPrev);
    CHECK(tally::pairing::decode_heartbeat(tally::pairing::encode_heartbeat(hb)).ok());
}
