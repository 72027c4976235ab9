// IdleTracker: idle times that survive wall-clock steps and suspend, and the verdicts for
// the signals a platform may (not) give.

#include <catch2/catch.hpp>

#include "agent/activity/idle_tracker.h"
#include "agent/activity/session_json.h"
#include "agent/activity/verdict.h"

using namespace tally::agent;
using std::chrono::seconds;

namespace {

SessionSample tty(std::int64_t idle) {
    SessionSample s;
    s.id = "pts/1";
    s.user = s.principal = "alice";
    s.kind = SessionKind::ssh;
    s.state = "active";
    s.idle_s = idle;
    s.idle_source = "tty-atime";
    s.source = "utmp";
    return s;
}

const SteadyTime kT0 = SteadyTime{} + seconds(5000);
const WallTime kW0 = WallTime{} + seconds(1795000000);

std::optional<std::int64_t> sample(IdleTracker& t, std::int64_t reported, std::int64_t steady_s,
                                   std::int64_t wall_s) {
    std::vector<SessionSample> v{tty(reported)};
    t.correct(v, kT0 + seconds(steady_s), kW0 + seconds(wall_s));
    return v[0].idle_s;
}

}  // namespace

TEST_CASE("idle tracker: unchanged input after a backward step keeps ageing", "[activity]") {
    IdleTracker t;
    CHECK(sample(t, 10, 0, 0) == 10);
    // clock stepped back an hour: the platform now computes a negative idle
    CHECK(sample(t, 60 - 3600 + 10, 60, 60 - 3600) == 70);
    CHECK(sample(t, 120 - 3600 + 10, 120, 120 - 3600) == 130);
}

TEST_CASE("idle tracker: new input after a step is measured on the steady clock", "[activity]") {
    IdleTracker t;
    CHECK(sample(t, 0, 0, 0) == 0);
    // stepped back 1 h at steady 30, input at steady 50 (wall -3550): reported idle 10
    CHECK(sample(t, 10, 60, 60 - 3600) == 10);
}

TEST_CASE("idle tracker: suspended time counts as idle", "[activity]") {
    IdleTracker t;
    CHECK(sample(t, 5, 0, 0) == 5);
    // 2 h suspend: the steady clock moved 60 s, the wall clock 2 h + 60 s
    CHECK(sample(t, 7265, 60, 7260) == 7265);
}

TEST_CASE("idle tracker: first sight of input in the future is unknown, not active", "[activity]") {
    IdleTracker t;
    std::vector<SessionSample> v{tty(-300)};
    t.correct(v, kT0, kW0);
    REQUIRE_FALSE(v[0].idle_s);
    auto verdict = classify(v[0], 300);
    CHECK(verdict.kind == VerdictKind::idle);
    CHECK_THAT(verdict.reason, Catch::Contains("clock stepped back"));
    // time passes, no input: still unknown (the wall clock catching up is not input)
    v = {tty(-300 + 400)};
    t.correct(v, kT0 + seconds(400), kW0 + seconds(400));
    CHECK_FALSE(v[0].idle_s);
    // real input moves the marker: known again
    v = {tty(2)};
    t.correct(v, kT0 + seconds(460), kW0 + seconds(460));
    CHECK(v[0].idle_s == 2);
}

TEST_CASE("idle tracker: sessions that are gone are forgotten", "[activity]") {
    IdleTracker t;
    sample(t, 5, 0, 0);
    std::vector<SessionSample> none;
    t.correct(none, kT0 + seconds(60), kW0 + seconds(60));
    // same id again later is a new session: its reported idle is taken as is
    CHECK(sample(t, 3, 120, 3000) == 3);
}

TEST_CASE("verdicts for the signals platforms give", "[activity]") {
    auto s = tty(-5);
    CHECK(classify(s, 300).kind == VerdictKind::idle);
    CHECK_THAT(classify(s, 300).reason, Catch::Contains("future"));

    s = tty(400);
    CHECK_THAT(classify(s, 300).reason, Catch::StartsWith("idle: input 400 s ago"));

    SessionSample kde = tty(0);
    kde.kind = SessionKind::wayland;
    kde.idle_s.reset();
    kde.idle_source = "none: the desktop sets no logind IdleHint";
    CHECK(classify(kde, 300).kind == VerdictKind::idle);
    CHECK_THAT(classify(kde, 300).reason, Catch::StartsWith("no idle signal (none: the desktop"));

    SessionSample gnome = tty(20);
    gnome.kind = SessionKind::wayland;
    gnome.idle_source = kIdleSourceDesktopIdle;
    CHECK(classify(gnome, 300).kind == VerdictKind::idle);
    CHECK_THAT(classify(gnome, 300).reason, Catch::Contains("desktop reports idle"));
    gnome.idle_source = "logind-idle-hint";
    gnome.idle_s = 0;
    CHECK(classify(gnome, 300).kind == VerdictKind::active);

    SessionSample greeter = tty(0);
    greeter.session_class = SessionClass::greeter;
    CHECK(classify(greeter, 300).kind == VerdictKind::ignored);
    CHECK_THAT(classify(greeter, 300).reason, Catch::Contains("greeter"));
}

TEST_CASE("session JSON round-trips what probe prints", "[activity]") {
    auto s = tty(12);
    s.uid = 1001;
    s.locked = false;
    s.remote_host = "192.0.2.7";
    auto j = session_to_json(s, classify(s, 300));
    CHECK(j["verdict"] == "active");
    auto back = session_from_json(j);
    REQUIRE(back);
    CHECK(back->uid == 1001u);
    CHECK(back->idle_s == 12);
    CHECK(back->locked == false);
    CHECK(back->kind == SessionKind::ssh);
    CHECK(back->remote_host == "192.0.2.7");
    j["kind"] = "teletype";
    auto bad = session_from_json(j);
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message, Catch::Contains("kind"));
}
