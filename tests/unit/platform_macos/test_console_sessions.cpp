// console user + HIDIdleTime + utmpx → samples → verdicts, without a Mac.
//
// The records mirror what macOS writes to /var/run/utmpx (utmpx(5), who(1)): loginwindow
// writes a USER_PROCESS record with ut_line "console" for each GUI login, Terminal and sshd
// write "ttys000"-style lines (sshd with ut_host set). SCDynamicStoreCopyConsoleUser names
// the user in front, or "loginwindow" while the login window is (fast user switching keeps
// the switched-out users logged in: eclecticlight.co, "Fast user switching: how it works").
// Those are the sources of these values; none was recorded on a Mac.

#include <catch2/catch.hpp>
#include <map>

#include "agent/activity/verdict.h"
#include "platform/macos/console_sessions.h"

using tally::agent::classify;
using tally::agent::SessionClass;
using tally::agent::SessionKind;
using tally::agent::SessionSample;
using tally::agent::VerdictKind;
using tally::platform::ConsoleFacts;
using tally::platform::macos_sessions;

namespace {

constexpr std::uint32_t kThreshold = 300;

// What getpwnam would say on a Mac: regular users from 501, system accounts below 500
// (_mbsetupuser, the Setup Assistant's account, is 248).
void fill_account(SessionSample& s) {
    static const std::map<std::string, std::uint32_t> uids = {
        {"alice", 501}, {"bob", 502}, {"carol", 503}, {"_mbsetupuser", 248}};
    s.principal = s.user;
    s.local_account = true;
    if (auto it = uids.find(s.user); it != uids.end()) {
        s.uid = it->second;
        s.system_account = it->second < 500;
    }
}

SessionSample utmpx(const std::string& user, const std::string& line, const std::string& host = "",
                    std::optional<std::int64_t> tty_idle = std::nullopt) {
    SessionSample s;
    s.user = user;
    s.tty = line;
    s.id = line;
    s.remote_host = host;
    s.state = "active";
    s.source = "utmp";
    fill_account(s);
    if (line == "console") {
        s.kind = SessionKind::other;  // the POSIX reader knows no "console" kind
        s.idle_source = "none";       // no /dev/console atime is read for it
    } else {
        s.kind = host.empty() ? SessionKind::tty : SessionKind::ssh;
        s.idle_s = tty_idle;
        s.idle_source = tty_idle ? "tty-atime" : "none";
    }
    return s;
}

const SessionSample* find(const std::vector<SessionSample>& v, const std::string& id) {
    for (const auto& s : v) {
        if (s.id == id)
            return &s;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("the console user with recent HID input is active, once") {
    const ConsoleFacts facts{"alice", 501, 12};
    auto out = macos_sessions(facts, {utmpx("alice", "console"), utmpx("alice", "ttys000", "", 40)},
                              fill_account);
    REQUIRE(out.size() == 2);  // the console login record is folded into the console session
    const SessionSample& console = out[0];
    CHECK(console.id == "console");
    CHECK(console.kind == SessionKind::console);
    CHECK(console.uid == 501u);
    CHECK(console.idle_s == 12);
    CHECK(console.idle_source == "hid");
    CHECK_FALSE(console.locked.has_value());
    CHECK(classify(console, kThreshold).kind == VerdictKind::active);
    // Terminal's tty keeps its own atime idle.
    const SessionSample* tty = find(out, "ttys000");
    REQUIRE(tty);
    CHECK(tty->kind == SessionKind::tty);
    CHECK(classify(*tty, kThreshold).kind == VerdictKind::active);
}

TEST_CASE("fast user switching: only the user in front can be active") {
    // bob switched in over alice; HIDIdleTime is bob's input, not alice's.
    const ConsoleFacts facts{"bob", 502, 3};
    auto out =
        macos_sessions(facts, {utmpx("alice", "console"), utmpx("bob", "console")}, fill_account);
    REQUIRE(out.size() == 2);
    CHECK(out[0].user == "bob");
    CHECK(classify(out[0], kThreshold).kind == VerdictKind::active);
    const SessionSample* alice = find(out, "console:alice");
    REQUIRE(alice);
    CHECK(alice->session_class == SessionClass::background);
    CHECK(alice->kind == SessionKind::console);
    CHECK_FALSE(alice->idle_s.has_value());
    CHECK(classify(*alice, kThreshold).kind == VerdictKind::ignored);
}

TEST_CASE("the login window is never counted, and everyone behind it is switched out") {
    const ConsoleFacts facts{"loginwindow", 0, 1};  // someone typing a password right now
    auto out =
        macos_sessions(facts, {utmpx("alice", "console"), utmpx("bob", "console")}, fill_account);
    REQUIRE(out.size() == 2);
    for (const auto& s : out) {
        CHECK(s.session_class == SessionClass::background);
        CHECK(classify(s, kThreshold).kind == VerdictKind::ignored);
    }
    CHECK_FALSE(tally::platform::is_console_user(std::string("loginwindow")));
    CHECK_FALSE(tally::platform::is_console_user(std::string()));
    CHECK_FALSE(tally::platform::is_console_user(std::nullopt));
}

TEST_CASE("no console user: SSH sessions still count by their tty atime") {
    const ConsoleFacts facts{std::nullopt, std::nullopt, 5};
    auto out = macos_sessions(
        facts, {utmpx("carol", "ttys002", "192.0.2.7", 30), utmpx("bob", "ttys003", "x", 900)},
        fill_account);
    REQUIRE(out.size() == 2);  // HID input without a console user belongs to nobody
    CHECK(out[0].kind == SessionKind::ssh);
    CHECK(classify(out[0], kThreshold).kind == VerdictKind::active);
    CHECK(classify(out[1], kThreshold).kind == VerdictKind::idle);
}

TEST_CASE("the console user without HID input is idle, and never guessed active") {
    SECTION("unreadable HIDIdleTime") {
        auto out = macos_sessions({"alice", 501, std::nullopt}, {}, fill_account);
        REQUIRE(out.size() == 1);
        CHECK(out[0].idle_source == "none");
        const auto v = classify(out[0], kThreshold);
        CHECK(v.kind == VerdictKind::idle);
        CHECK(v.reason == "no idle signal");
    }
    SECTION("input longer ago than the threshold (or a screen locked that long)") {
        auto out = macos_sessions({"alice", 501, 301}, {}, fill_account);
        CHECK(classify(out.at(0), kThreshold).kind == VerdictKind::idle);
    }
    SECTION("input exactly at the threshold still counts") {
        auto out = macos_sessions({"alice", 501, 300}, {}, fill_account);
        CHECK(classify(out.at(0), kThreshold).kind == VerdictKind::active);
    }
}

TEST_CASE("system accounts at the console never count") {
    // Setup Assistant runs as _mbsetupuser before the first user exists.
    auto out = macos_sessions({"_mbsetupuser", 248, 0}, {}, fill_account);
    REQUIRE(out.size() == 1);
    CHECK(out[0].system_account);
    CHECK(classify(out[0], kThreshold).kind == VerdictKind::ignored);
}

TEST_CASE("the dynamic store's uid wins over the name lookup") {
    auto out = macos_sessions({"dave", 777, 0}, {}, fill_account);  // unknown to the lookup
    REQUIRE(out.size() == 1);
    CHECK(out[0].uid == 777u);
    CHECK(out[0].source == "scdynamicstore+iokit");
}

TEST_CASE("a console entry without a UID is no uid, never root") {
    // configd's SCDynamicStoreCopyConsoleUser writes *uid only when the store's
    // State:/Users/ConsoleUser entry holds a UID number (SCDConsoleUser.c); the reader presets
    // the out-parameter so that nothing written stays "unknown".
    using tally::platform::console_uid;
    using tally::platform::kUnsetConsoleUid;
    CHECK_FALSE(console_uid(kUnsetConsoleUid).has_value());
    CHECK(console_uid(501) == 501u);
    CHECK(console_uid(0) == 0u);  // root really at the console stays root
    auto out = macos_sessions({"alice", console_uid(kUnsetConsoleUid), 3}, {}, fill_account);
    REQUIRE(out.size() == 1);
    CHECK(out[0].uid == 501u);  // the name lookup's, not 0
    CHECK_FALSE(out[0].system_account);
}
