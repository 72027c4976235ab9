// Activity: session verdicts and the distinct-minute accounting of one interval.

#include <catch2/catch.hpp>

#include "agent/activity/minute_accumulator.h"
#include "agent/activity/verdict.h"
#include "pairing/bytes.h"
#include "pairing/crypto.h"

using namespace tally::agent;
using std::chrono::seconds;

namespace {

SessionSample session(const std::string& user, std::int64_t idle,
                      SessionKind kind = SessionKind::tty) {
    SessionSample s;
    s.id = user + "-1";
    s.user = user;
    s.principal = user;
    s.kind = kind;
    s.state = "active";
    s.idle_s = idle;
    s.locked = false;
    return s;
}

}  // namespace

TEST_CASE("verdicts: active, idle and ignored with reasons", "[activity]") {
    CHECK(classify(session("alice", 10), 300).kind == VerdictKind::active);
    CHECK(classify(session("alice", 300), 300).kind == VerdictKind::active);

    auto old = classify(session("alice", 301), 300);
    CHECK(old.kind == VerdictKind::idle);
    CHECK_THAT(old.reason, Catch::Contains("301"));

    auto locked = session("alice", 1);
    locked.locked = true;
    CHECK(classify(locked, 300).kind == VerdictKind::idle);
    CHECK(classify(locked, 300).reason == "locked");

    auto disc = session("alice", 1);
    disc.state = "disconnected";
    CHECK(classify(disc, 300).kind == VerdictKind::idle);

    auto unknown = session("alice", 1);
    unknown.idle_s.reset();
    CHECK(classify(unknown, 300).kind == VerdictKind::idle);
    CHECK(classify(unknown, 300).reason == "no idle signal");

    auto sys = session("gdm", 1);
    sys.system_account = true;
    CHECK(classify(sys, 300).kind == VerdictKind::ignored);
    CHECK_THAT(classify(sys, 300).reason, Catch::StartsWith("system account"));
    sys.uid = 117;
    CHECK_THAT(classify(sys, 300).reason, Catch::Contains("uid 117"));

    for (auto c : {SessionClass::greeter, SessionClass::lock_screen, SessionClass::manager,
                   SessionClass::background}) {
        auto s = session("alice", 1);
        s.session_class = c;
        CHECK(classify(s, 300).kind == VerdictKind::ignored);
    }
    auto closing = session("alice", 1);
    closing.state = "closing";
    CHECK(classify(closing, 300).kind == VerdictKind::ignored);
}

TEST_CASE("minutes: two users, distinct minutes, device minutes", "[activity]") {
    MinuteAccumulator acc(ActivityPolicy{300, false, false, ""});
    auto t0 = SteadyTime{} + seconds(1000);
    acc.reset(t0);
    acc.add({session("alice", 5), session("bob", 5)}, t0 + seconds(10));
    acc.add({session("alice", 5), session("bob", 900)}, t0 + seconds(70));
    acc.add({session("alice", 900), session("bob", 900)}, t0 + seconds(130));
    auto end = t0 + seconds(300);
    CHECK(acc.device_minutes(end) == 2);
    auto users = acc.users(end);
    REQUIRE(users.size() == 2);
    CHECK(users[0].principal == "alice");
    CHECK(users[0].active_minutes == 2);
    CHECK(users[0].kind == "tty");
    CHECK(users[1].principal == "bob");
    CHECK(users[1].active_minutes == 1);
}

TEST_CASE("minutes: several samples in one minute count once", "[activity]") {
    MinuteAccumulator acc(ActivityPolicy{300, false, false, ""});
    auto t0 = SteadyTime{} + seconds(50);
    acc.reset(t0);
    for (int i = 0; i < 60; ++i)
        acc.add({session("alice", 1)}, t0 + seconds(i));
    acc.add({session("alice", 1)}, t0 + seconds(60));
    auto end = t0 + seconds(300);
    CHECK(acc.device_minutes(end) == 2);
    REQUIRE(acc.users(end).size() == 1);
    CHECK(acc.users(end)[0].active_minutes == 2);
}

TEST_CASE("minutes: one user with two sessions counts once per minute", "[activity]") {
    MinuteAccumulator acc(ActivityPolicy{300, false, false, ""});
    auto t0 = SteadyTime{};
    acc.reset(t0);
    acc.add({session("alice", 1, SessionKind::ssh), session("alice", 1, SessionKind::x11)},
            t0 + seconds(5));
    acc.add({session("alice", 1, SessionKind::x11)}, t0 + seconds(65));
    auto users = acc.users(t0 + seconds(300));
    REQUIRE(users.size() == 1);
    CHECK(users[0].active_minutes == 2);
    CHECK(users[0].kind == "x11");  // the kind with the most minutes
}

TEST_CASE("minutes: never more than the interval's minutes", "[activity]") {
    MinuteAccumulator acc(ActivityPolicy{300, false, false, ""});
    auto t0 = SteadyTime{};
    acc.reset(t0);
    for (int s = 0; s <= 400; s += 10)
        acc.add({session("alice", 1)}, t0 + seconds(s));
    auto end = t0 + seconds(300);
    CHECK(MinuteAccumulator::span_minutes(t0, end) == 5);
    CHECK(acc.device_minutes(end) == 5);
    CHECK(acc.users(end)[0].active_minutes == 5);
    // A 3-second partial interval spans one minute.
    CHECK(MinuteAccumulator::span_minutes(t0, t0 + seconds(3)) == 1);
    CHECK(acc.device_minutes(t0 + seconds(3)) == 1);
}

TEST_CASE("minutes: idle and ignored sessions do not count", "[activity]") {
    MinuteAccumulator acc(ActivityPolicy{300, false, false, ""});
    auto t0 = SteadyTime{};
    acc.reset(t0);
    auto greeter = session("gdm", 1);
    greeter.session_class = SessionClass::greeter;
    acc.add({session("alice", 1000), greeter}, t0 + seconds(5));
    CHECK(acc.device_minutes(t0 + seconds(300)) == 0);
    CHECK(acc.users(t0 + seconds(300)).empty());
}

TEST_CASE("minutes: server role is active every minute by signal", "[activity]") {
    MinuteAccumulator acc(ActivityPolicy{300, true, false, ""});
    auto t0 = SteadyTime{};
    acc.reset(t0);
    CHECK(acc.device_minutes(t0 + seconds(300)) == 5);
    CHECK(acc.device_minutes(t0 + seconds(150)) == 3);
    CHECK(acc.users(t0 + seconds(300)).empty());
}

TEST_CASE("hashed principals: HMAC of the lower-cased principal", "[activity]") {
    MinuteAccumulator acc(ActivityPolicy{300, false, true, "tenant-salt"});
    auto t0 = SteadyTime{};
    acc.reset(t0);
    acc.add({session("Alice@EXAMPLE.com", 1)}, t0 + seconds(1));
    acc.add({session("alice@example.com", 1)}, t0 + seconds(61));
    auto users = acc.users(t0 + seconds(300));
    REQUIRE(users.size() == 1);
    std::string expected = tally::pairing::hex_encode(tally::pairing::hmac_sha256(
        tally::pairing::as_bytes("tenant-salt"), tally::pairing::as_bytes("alice@example.com")));
    CHECK(users[0].principal == expected);
    CHECK(users[0].active_minutes == 2);
}
