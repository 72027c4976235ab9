// platform/windows/session_reporters: one reporter per signed-in session, started when it
// appears, terminated and reaped at logoff, restarted with a backoff when it dies. The
// processes are fakes here (wine has no WTS sessions nor WTSQueryUserToken); the launcher
// around CreateProcessAsUserW is named in README.md as not run under wine.

#include <algorithm>

#include <catch2/catch.hpp>

#include "platform/windows/session_reporter_launcher.h"
#include "platform/windows/session_reporters.h"
#include "platform/windows/wts_session_facts.h"

using namespace tally;
using namespace tally::platform;
using namespace std::chrono_literals;

namespace {

struct World {
    std::map<std::uint32_t, bool> alive;  // per session: the current fake process
    std::vector<std::uint32_t> launched, terminated;
    bool fail_launch = false;
};

class FakeProcess : public ReporterProcess {
  public:
    FakeProcess(World& w, std::uint32_t s) : w_(w), s_(s) { w_.alive[s_] = true; }
    ~FakeProcess() override {
        if (w_.alive[s_])
            w_.terminated.push_back(s_);
        w_.alive[s_] = false;
    }
    bool alive() override { return w_.alive[s_]; }

  private:
    World& w_;
    std::uint32_t s_;
};

class FakeLauncher : public ReporterLauncher {
  public:
    explicit FakeLauncher(World& w) : w_(w) {}
    Result<std::unique_ptr<ReporterProcess>> launch(std::uint32_t s) override {
        if (w_.fail_launch)
            return make_error("reporter", "WTSQueryUserToken: access denied (error 5)");
        w_.launched.push_back(s);
        return std::unique_ptr<ReporterProcess>(std::make_unique<FakeProcess>(w_, s));
    }

  private:
    World& w_;
};

}  // namespace

TEST_CASE("reporter backoff: 1 s doubling, capped at 5 min") {
    CHECK(reporter_backoff(0) == 0ms);
    CHECK(reporter_backoff(1) == 1s);
    CHECK(reporter_backoff(2) == 2s);
    CHECK(reporter_backoff(5) == 16s);
    CHECK(reporter_backoff(9) == 256s);
    CHECK(reporter_backoff(10) == 5min);
    CHECK(reporter_backoff(1000) == 5min);
}

TEST_CASE("reporters: one per session, stopped at logoff, restarted with backoff") {
    World w;
    SessionReporters r(std::make_unique<FakeLauncher>(w));
    const auto t0 = SessionReporters::Clock::time_point{} + 1h;
    CHECK(r.reconcile({1, 2}, t0).empty());
    CHECK(w.launched == std::vector<std::uint32_t>{1, 2});
    CHECK(r.reconcile({1, 2}, t0 + 1s).empty());  // alive: nothing new
    CHECK(w.launched.size() == 2);

    // Session 2 logs off: its reporter is terminated and reaped.
    CHECK(r.reconcile({1}, t0 + 2s).empty());
    CHECK(w.terminated == std::vector<std::uint32_t>{2});
    CHECK(r.running() == 1);

    // The reporter in session 1 dies: restarted after 1 s, then 2 s if it dies again.
    w.alive[1] = false;
    CHECK_THAT(r.reconcile({1}, t0 + 3s), Catch::Contains("session 1 ended"));
    CHECK(w.launched.size() == 2);
    r.reconcile({1}, t0 + 3500ms);
    CHECK(w.launched.size() == 2);
    r.reconcile({1}, t0 + 4s);
    CHECK(w.launched.size() == 3);
    w.alive[1] = false;
    r.reconcile({1}, t0 + 5s);
    r.reconcile({1}, t0 + 6s);
    CHECK(w.launched.size() == 3);
    r.reconcile({1}, t0 + 7s);
    CHECK(w.launched.size() == 4);

    // A reporter that lived 5 minutes was healthy: its death waits 1 s again.
    w.alive[1] = false;
    r.reconcile({1}, t0 + 7s + 5min);
    r.reconcile({1}, t0 + 8s + 5min);
    CHECK(w.launched.size() == 5);
}

TEST_CASE("reporters: a failed start is reported and retried with backoff") {
    World w;
    w.fail_launch = true;
    SessionReporters r(std::make_unique<FakeLauncher>(w));
    const auto t0 = SessionReporters::Clock::time_point{} + 1h;
    CHECK_THAT(r.reconcile({4}, t0), Catch::Contains("WTSQueryUserToken"));
    CHECK(r.reconcile({4}, t0 + 500ms).empty());  // waiting, nothing to say
    w.fail_launch = false;
    r.reconcile({4}, t0 + 1s);
    CHECK(w.launched == std::vector<std::uint32_t>{4});
    CHECK(r.running() == 1);
}

TEST_CASE("reporters run where a user is signed in, never in session 0") {
    WtsSessionFacts f;
    f.id = 1;
    f.user = "alice";
    f.state = WtsState::active;
    CHECK(has_signed_in_user(f));
    f.state = WtsState::disconnected;
    CHECK(has_signed_in_user(f));  // kept: the user comes back to the same session
    f.state = WtsState::listen;
    CHECK_FALSE(has_signed_in_user(f));
    f.state = WtsState::active;
    f.user.clear();  // logon screen
    CHECK_FALSE(has_signed_in_user(f));
    f.user = "SYSTEM";
    f.id = 0;
    CHECK_FALSE(has_signed_in_user(f));
}

TEST_CASE("the reporter's command line quotes the exe and names the pipe") {
    CHECK(reporter_command_line(L"C:\\Program Files\\Tally\\tally-agent.exe",
                                L"\\\\.\\pipe\\tally-agent-idle", 30000) ==
          L"\"C:\\Program Files\\Tally\\tally-agent.exe\" __session-reporter --pipe "
          L"\\\\.\\pipe\\tally-agent-idle --interval-ms 30000");
}

TEST_CASE("reporters: stop_all terminates and reaps every reporter (the service's stop)") {
    World w;
    SessionReporters r(std::make_unique<FakeLauncher>(w));
    const auto t0 = SessionReporters::Clock::time_point{} + 1h;
    r.reconcile({1, 2}, t0);
    REQUIRE(r.running() == 2);
    r.stop_all();
    CHECK(r.running() == 0);
    std::sort(w.terminated.begin(), w.terminated.end());
    CHECK(w.terminated == std::vector<std::uint32_t>{1, 2});
}
