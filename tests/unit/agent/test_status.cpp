// Status: JSON round trip and the exit codes RMM monitors rely on.

#include <catch2/catch.hpp>

#include "agent/status/status.h"

using namespace tally::agent;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

Status healthy() {
    Status s;
    s.running = true;
    s.paired = true;
    s.mode = "paired";
    s.state = "paired";
    s.device_id = "dev_1";
    s.queued = 2;
    s.last_upload_at = kNow - 100;
    s.started_at = kNow - 10000;
    s.upload_interval_s = 900;
    s.spool_bytes = 1000;
    s.spool_max_bytes = 32 << 20;
    return s;
}

}  // namespace

TEST_CASE("status exit codes", "[status]") {
    CHECK(status_exit_code(healthy(), kNow) == 0);

    auto failing = healthy();
    failing.upload_failures = 1;
    failing.last_error = "HTTP 503";
    CHECK(status_exit_code(failing, kNow) == 1);

    auto waiting = healthy();  // a request in flight: fine at first, in trouble after 10 s
    waiting.upload_waiting_s = kUploadTroubleAfterS;
    CHECK(status_exit_code(waiting, kNow) == 0);
    waiting.upload_waiting_s = kUploadTroubleAfterS + 1;
    CHECK(status_exit_code(waiting, kNow) == 1);
    CHECK_THAT(status_problems(waiting, kNow).at(0), Catch::Contains("waited 11 s"));
    CHECK_THAT(render_status_text(waiting, kNow), Catch::Contains("waiting 11 s"));

    auto stale = healthy();
    stale.last_upload_at = kNow - 3 * 900 - 1;
    CHECK(status_exit_code(stale, kNow) == 1);
    stale.queued = 0;  // nothing waiting: an old upload is not a problem
    CHECK(status_exit_code(stale, kNow) == 0);

    auto never = healthy();
    never.last_upload_at = 0;
    never.started_at = kNow - 60;
    CHECK(status_exit_code(never, kNow) == 0);
    never.started_at = kNow - 3 * 900 - 1;
    CHECK(status_exit_code(never, kNow) == 1);

    auto full = healthy();
    full.spool_bytes = full.spool_max_bytes * 91 / 100;
    CHECK(status_exit_code(full, kNow) == 1);

    auto disk = healthy();  // a spool that cannot be written (full disk) is degraded
    disk.unsaved_heartbeats = 3;
    CHECK(status_exit_code(disk, kNow) == 1);
    CHECK_FALSE(status_problems(disk, kNow).empty());
    disk.mode = "standalone";
    CHECK(status_exit_code(disk, kNow) == 1);

    auto clock = healthy();
    clock.clock_offset_s = -301;
    CHECK(status_exit_code(clock, kNow) == 1);
    clock.clock_offset_s = 300;
    CHECK(status_exit_code(clock, kNow) == 0);

    for (const char* st : {"revoked", "tenant_inactive", "clone_detected", "auth_failed"}) {
        auto s = healthy();
        s.state = st;
        INFO(st);
        CHECK(status_exit_code(s, kNow) == 2);
    }
    auto unpaired = healthy();
    unpaired.paired = false;
    unpaired.state = "unpaired";
    CHECK(status_exit_code(unpaired, kNow) == 2);
    unpaired.running = false;
    CHECK(status_exit_code(unpaired, kNow) == 2);  // attention outranks "not running"

    auto standalone = healthy();
    standalone.mode = "standalone";
    standalone.state = "standalone";
    standalone.paired = false;
    standalone.last_upload_at = 0;
    standalone.started_at = kNow - 100000;
    CHECK(status_exit_code(standalone, kNow) == 0);

    auto stopped = healthy();
    stopped.running = false;
    CHECK(status_exit_code(stopped, kNow) == 3);
    CHECK_FALSE(status_problems(stopped, kNow).empty());
    CHECK(status_problems(healthy(), kNow).empty());
}

TEST_CASE("status JSON round-trips", "[status]") {
    auto s = healthy();
    s.active_users_now = {"alice", "bob"};
    s.clock_offset_s = -12;
    s.acked_through = 41;
    s.last_seq = 43;
    s.pid = 4242;
    s.ack_errors = 2;
    s.upload_waiting_s = 12;
    s.updated_at = kNow;
    auto back = status_from_json(status_to_json(s));
    REQUIRE(back.ok());
    CHECK(back->active_users_now == s.active_users_now);
    CHECK(back->clock_offset_s == -12);
    CHECK(back->acked_through == 41);
    CHECK(back->last_seq == 43);
    CHECK(back->ack_errors == 2);
    CHECK(back->upload_waiting_s == 12);
    CHECK(back->last_upload_at == s.last_upload_at);
    CHECK(back->updated_at == kNow);
    CHECK(back->device_id == "dev_1");
    CHECK(back->running);
    CHECK_FALSE(status_from_json("[1,2]").ok());
    CHECK_FALSE(status_from_json("{\"queued\":\"many\"}").ok());
    CHECK_THAT(render_status_text(s, kNow), Catch::Contains("dev_1"));
}
