// platform/windows/idle_report + idle_reports: the per-session reporter's message, the
// tick-count age across the 49.7-day wrap, and the service's rules (a report counts only for
// the session the pipe client runs in, only while younger than two sample intervals; else
// the session keeps WTS LastInputTime). Tick values: GetTickCount/LASTINPUTINFO.dwTime are
// DWORD milliseconds since boot that wrap at 2^32 (learn.microsoft.com, GetTickCount and
// LASTINPUTINFO pages); the near-wrap pairs are constructed, not recorded on a machine.

#include <catch2/catch.hpp>

#include "platform/windows/idle_report.h"
#include "platform/windows/idle_reports.h"
#include "platform/windows/session_idle.h"

using namespace tally;
using namespace tally::platform;
using namespace std::chrono_literals;

TEST_CASE("input age: plain, zero, and across the tick counter's wrap") {
    CHECK(input_age_ms(5'000, 2'000) == 3'000);
    CHECK(input_age_ms(7, 7) == 0);
    // 49.7 days after boot: last input 16 ms before the wrap, now 5 ms after it.
    CHECK(input_age_ms(5, 0xFFFF'FFF0u) == 21);
    CHECK(input_age_ms(0, 0xFFFF'FFFFu) == 1);
}

TEST_CASE("idle report: the one-line format round-trips") {
    const IdleReport r{3, 4'294'967'295u};
    const std::string text = format_idle_report(r);
    CHECK(text == "tally-idle 1 session=3 idle_ms=4294967295\n");
    CHECK(text.size() <= kMaxIdleReportBytes);
    auto back = parse_idle_report(text);
    REQUIRE(back);
    CHECK(back->session == 3);
    CHECK(back->idle_ms == 4'294'967'295u);
}

TEST_CASE("idle report: anything else is refused, naming the problem") {
    const auto why = [](std::string_view text) {
        auto r = parse_idle_report(text);
        REQUIRE_FALSE(r);
        return r.error().message;
    };
    CHECK_THAT(why("hello\n"), Catch::Contains("not an idle report"));
    CHECK_THAT(why("tally-idle 2 session=1 idle_ms=5\n"), Catch::Contains("not an idle report"));
    CHECK_THAT(why("tally-idle 1 session=x idle_ms=5\n"), Catch::Contains("session=<id>"));
    CHECK_THAT(why("tally-idle 1 session=-1 idle_ms=5\n"), Catch::Contains("session=<id>"));
    CHECK_THAT(why("tally-idle 1 session=1idle_ms=5\n"), Catch::Contains("after the session"));
    CHECK_THAT(why("tally-idle 1 session=1 idle_ms=4294967296\n"), Catch::Contains("idle_ms"));
    CHECK_THAT(why("tally-idle 1 session=1 idle_ms=5"), Catch::Contains("after idle_ms"));
    CHECK_THAT(why("tally-idle 1 session=1 idle_ms=5\n\n"), Catch::Contains("after idle_ms"));
    CHECK_THAT(why("tally-idle 1 session=1 idle_ms=5 \r\n"), Catch::Contains("after idle_ms"));
    CHECK_THAT(why(std::string(65, 'a')), Catch::Contains("longer than 64"));
}

TEST_CASE("idle reports: only for the client's own session") {
    IdleReports reports(4s);
    const auto t0 = IdleReports::Clock::time_point{} + 1h;
    auto refused = reports.accept({2, 1000}, 3, t0);
    REQUIRE_FALSE(refused);
    CHECK_THAT(refused.error().message, Catch::Contains("session 2 from a client in session 3"));
    CHECK_FALSE(reports.fresh_idle_s(2, t0));
    REQUIRE(reports.accept({3, 1000}, 3, t0));
    CHECK(reports.fresh_idle_s(3, t0) == 1);
}

TEST_CASE("idle reports: fresh for two sample intervals, counting the time since the report") {
    CHECK(idle_report_max_age(60) == 120s);
    CHECK(idle_report_max_age(0) == 2s);
    CHECK(reporter_interval_ms(60) == 30'000);
    CHECK(reporter_interval_ms(1) == 1'000);
    IdleReports reports(idle_report_max_age(60));
    const auto t0 = IdleReports::Clock::time_point{} + 1h;
    REQUIRE(reports.accept({1, 42'500}, 1, t0));
    CHECK(reports.fresh_idle_s(1, t0) == 42);
    CHECK(reports.fresh_idle_s(1, t0 + 30s) == 72);
    CHECK(reports.fresh_idle_s(1, t0 + 119s) == 161);
    CHECK_FALSE(reports.fresh_idle_s(1, t0 + 120s));  // stale: WTS again
    CHECK_FALSE(reports.fresh_idle_s(1, t0 - 1s));    // from the future: not trusted
    REQUIRE(reports.accept({1, 0}, 1, t0 + 200s));    // the reporter is back
    CHECK(reports.fresh_idle_s(1, t0 + 200s) == 0);
    reports.forget(1);
    CHECK_FALSE(reports.fresh_idle_s(1, t0 + 200s));
}

TEST_CASE("idle reports: fresh reports replace WTS idle, the rest keep it, and say which") {
    IdleReports reports(120s);
    const auto t0 = IdleReports::Clock::time_point{} + 1h;
    REQUIRE(reports.accept({1, 3'000}, 1, t0));
    REQUIRE(reports.accept({2, 9'000}, 2, t0 - 300s));  // stale
    std::vector<agent::SessionSample> samples(4);
    const char* ids[] = {"0", "1", "2", "3"};
    for (int i = 0; i < 4; ++i) {
        samples[i].id = ids[i];
        samples[i].idle_s = 600;  // what WTS LastInputTime said
        samples[i].idle_source = "wts";
    }
    reports.apply(samples, t0 + 2s);
    CHECK(samples[0].idle_source == "wts");  // session 0: no reporter, ever
    CHECK(samples[1].idle_source == kIdleSourceSessionReporter);
    CHECK(samples[1].idle_s == 5);
    CHECK(samples[2].idle_source == "wts");  // stale report: fallback
    CHECK(samples[2].idle_s == 600);
    CHECK(samples[3].idle_source == "wts");  // no reporter
}
