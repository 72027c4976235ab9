// Issue 20: the usage report exports written as they are produced (write_usage: same bytes
// as the whole-string writers, progress per row), the HTTP body in a temporary file that is
// removed with its last owner, and the CLI's progress lines.

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <optional>
#include <sstream>

#include "server/cli/progress_meter.h"
#include "server/http/report_body.h"
#include "server/report/usage_csv.h"
#include "server/report/usage_json.h"
#include "server/report/usage_output.h"
#include "server/report/usage_xlsx.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

UsageReport small_report(ServerFixture& f) {
    TestDevice a, b;
    f.pair(a);
    f.pair(b);
    REQUIRE(f.upload(a, a.batch({a.next_heartbeat(kNow, 4, {user("alice", 3)})})).ok());
    REQUIRE(f.upload(b, b.batch({b.next_heartbeat(kNow, 2, {user("bob", 2, true)})})).ok());
    auto report = build_usage_report(*f.store, "acme", "2026-11", kNow);
    REQUIRE(report.ok());
    return *report;
}

std::string whole(const UsageReport& r, UsageFormat format) {
    if (format == UsageFormat::json) {
        return usage_to_json(r);
    }
    if (format == UsageFormat::csv) {
        return usage_to_csv(r);
    }
    auto xlsx = usage_to_xlsx(r);
    REQUIRE(xlsx.ok());
    return *xlsx;
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

//! A clock the test moves by hand.
struct FakeClock {
    std::chrono::steady_clock::time_point now{};
    cli::ProgressMeter::Clock fn() {
        return [this] { return now; };
    }
};

}  // namespace

TEST_CASE("streamed exports are the whole-string exports, row by row", "[report]") {
    ServerFixture f;
    const auto report = small_report(f);
    const std::size_t rows = report.devices.size() + report.users.size() + report.late.size();
    REQUIRE(rows == 4);
    for (const char* name : {"json", "csv"}) {
        const auto format = *parse_usage_format(name);
        std::ostringstream out;
        std::vector<std::size_t> seen;
        REQUIRE(write_usage(report, format, out, [&](std::size_t n) { seen.push_back(n); }).ok());
        CHECK(out.str() == whole(report, format));
        CHECK(seen == std::vector<std::size_t>{1, 2, 3, 4});
    }
    std::ostringstream xlsx;
    REQUIRE(write_usage(report, UsageFormat::xlsx, xlsx).ok());
    CHECK(xlsx.str().rfind("PK", 0) == 0);
    CHECK_FALSE(parse_usage_format("pdf"));
    CHECK(content_type(UsageFormat::csv) == "text/csv; charset=utf-8");
}

TEST_CASE("a failing stream is an io error", "[report]") {
    ServerFixture f;
    const auto report = small_report(f);
    std::ostringstream out;
    out.setstate(std::ios::badbit);
    auto r = write_usage(report, UsageFormat::csv, out);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == "io");
}

TEST_CASE("the HTTP report body is a temporary file removed with its last owner", "[report]") {
    ServerFixture f;
    const auto report = small_report(f);
    TempDir tmp;
    //! TMPDIR as it was, restored however the test ends.
    struct RestoreTmpdir {
        std::optional<std::string> saved;
        RestoreTmpdir() {
            if (const char* v = ::getenv("TMPDIR")) {
                saved = v;
            }
        }
        ~RestoreTmpdir() {
            if (saved) {
                ::setenv("TMPDIR", saved->c_str(), 1);
            } else {
                ::unsetenv("TMPDIR");
            }
        }
    } restore;
    ::setenv("TMPDIR", tmp.path().c_str(), 1);
    auto body = usage_body_file(report, UsageFormat::json);
    REQUIRE(body.ok());
    const auto path = (*body)->path();
    CHECK(path.parent_path() == tmp.path());
    CHECK(read_file(path) == usage_to_json(report));
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::others_read) ==
          std::filesystem::perms::none);
    body->reset();
    CHECK_FALSE(std::filesystem::exists(path));

    ::setenv("TMPDIR", (tmp.path() / "missing").c_str(), 1);
    auto failed = usage_body_file(report, UsageFormat::csv);
    REQUIRE_FALSE(failed.ok());
    CHECK(failed.error().code == "io");
    CHECK_THAT(failed.error().message, Catch::Contains("missing"));
}

TEST_CASE("progress lines: none for short work, then per rows or per interval", "[report]") {
    using std::chrono::seconds;
    FakeClock clock;
    std::ostringstream out;
    {
        cli::ProgressMeter quiet(out, "usage", 100, seconds(2), clock.fn());
        for (std::size_t i = 1; i <= 99; ++i) {
            quiet.rows(i, 99, "rows written");
        }
        quiet.step("report built");
        quiet.finish("done");
    }
    CHECK(out.str().empty());

    cli::ProgressMeter meter(out, "usage", 100, seconds(2), clock.fn());
    clock.now += seconds(3);
    meter.step("report built: 250 devices");  // took over 2 s: printed
    for (std::size_t i = 1; i <= 250; ++i) {
        meter.rows(i, 250, "rows written");
    }
    clock.now += seconds(2);
    meter.rows(251, 0, "rows written");  // by time: the interval passed
    meter.finish("done, 251 rows");
    CHECK(out.str() ==
          "usage: report built: 250 devices (3.0 s)\n"
          "usage: 100 of 250 rows written (3.0 s)\n"
          "usage: 200 of 250 rows written (3.0 s)\n"
          "usage: 251 rows written (5.0 s)\n"
          "usage: done, 251 rows (5.0 s)\n");
}
