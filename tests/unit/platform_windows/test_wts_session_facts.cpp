// platform/windows/wts_session_facts: WTS values → samples. Wine has no WTS sessions, so
// these run on the values Windows documents (learn.microsoft.com, WTSINFOEX_LEVEL1 page):
// SessionFlags WTS_SESSIONSTATE_LOCK = 0, UNLOCK = 1, UNKNOWN = 0xFFFFFFFF, the two swapped
// on Windows 7 / Server 2008 R2 by a code defect the page names; WTSClientProtocolType
// (0 console, 1 ICA, 2 RDP); LastInputTime/CurrentTime as FILETIMEs (100 ns ticks).
// No values were recorded on a real Windows machine for this test.

#include <catch2/catch.hpp>

#include "agent/activity/verdict.h"
#include "platform/windows/wts_session_facts.h"

using namespace tally;
using namespace tally::platform;

namespace {

WtsSessionFacts console_user() {
    WtsSessionFacts f;
    f.id = 1;
    f.state = WtsState::active;
    f.station = "Console";
    f.user = "alice";
    f.domain = "PC01";
    f.computer = "PC01";
    f.session_flags = 1;  // WTS_SESSIONSTATE_UNLOCK
    f.current_filetime = 133'000'000'000'000'000;
    f.last_input_filetime = f.current_filetime - 42 * 10'000'000LL;
    f.protocol = 0;
    return f;
}

}  // namespace

TEST_CASE("lock flags, with Windows 7's inversion") {
    CHECK(wts_locked(0, false) == std::optional<bool>(true));
    CHECK(wts_locked(1, false) == std::optional<bool>(false));
    CHECK(wts_locked(0, true) == std::optional<bool>(false));
    CHECK(wts_locked(1, true) == std::optional<bool>(true));
    CHECK_FALSE(wts_locked(-1, false).has_value());  // WTS_SESSIONSTATE_UNKNOWN
    CHECK_FALSE(wts_locked(7, false).has_value());
}

TEST_CASE("an unlocked console session with recent input is active") {
    auto s = sample_from_wts(console_user());
    REQUIRE(s);
    CHECK(s->principal == "PC01\\alice");
    CHECK(s->local_account);
    CHECK(s->kind == agent::SessionKind::console);
    CHECK(s->idle_s == std::optional<std::int64_t>(42));
    CHECK(s->locked == std::optional<bool>(false));
    CHECK(agent::classify(*s, 300).kind == agent::VerdictKind::active);
}

TEST_CASE("session 0, logon screens, listeners and disconnected sessions never count") {
    auto f = console_user();
    f.id = 0;
    f.station = "Services";
    auto s0 = sample_from_wts(f);
    REQUIRE(s0);
    CHECK(agent::classify(*s0, 300).kind == agent::VerdictKind::ignored);

    f = console_user();
    f.user.clear();
    f.state = WtsState::connected;
    auto greeter = sample_from_wts(f);
    REQUIRE(greeter);
    CHECK(agent::classify(*greeter, 300).kind == agent::VerdictKind::ignored);

    f = console_user();
    f.state = WtsState::listen;
    f.station = "RDP-Tcp";
    CHECK_FALSE(sample_from_wts(f));

    f = console_user();
    f.state = WtsState::disconnected;
    f.protocol = 2;
    auto rdp = sample_from_wts(f);
    REQUIRE(rdp);
    CHECK(rdp->kind == agent::SessionKind::rdp);
    CHECK(agent::classify(*rdp, 300).kind != agent::VerdictKind::active);
}

TEST_CASE("locked, idle and domain sessions") {
    auto f = console_user();
    f.session_flags = 0;  // WTS_SESSIONSTATE_LOCK
    CHECK(agent::classify(*sample_from_wts(f), 300).reason == "locked");
    f.windows7_family = true;  // on Windows 7 the same value means unlocked
    CHECK(agent::classify(*sample_from_wts(f), 300).kind == agent::VerdictKind::active);

    f = console_user();
    f.last_input_filetime = f.current_filetime - 900 * 10'000'000LL;
    CHECK(agent::classify(*sample_from_wts(f), 300).kind == agent::VerdictKind::idle);

    f = console_user();
    f.last_input_filetime = 0;  // no input time reported
    CHECK_FALSE(sample_from_wts(f)->idle_s.has_value());

    f = console_user();
    f.domain = "CORP";
    f.upn = "alice@corp.example";
    auto s = sample_from_wts(f);
    CHECK(s->principal == "alice@corp.example");
    CHECK_FALSE(s->local_account);
    f.upn.reset();
    CHECK(sample_from_wts(f)->principal == "CORP\\alice");
}
