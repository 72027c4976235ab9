// Usage rollups at ingest (server/store/rollups.h), their migration from schema 7, and
// verify-evidence (SqliteStore::verify_evidence): real signed batches through handle_upload.

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <sstream>

#include "pairing/heartbeat.h"
#include "server/cli/command.h"
#include "server/store/schema.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

namespace {

constexpr std::int64_t kHour = 3600;
// 2026-11-10T09:05:00Z and 2026-11-11T09:05:00Z: two days of the fixture's month.
constexpr std::int64_t kDay10 = kNow - 5 * 86400 - 3 * kHour + 300;
constexpr std::int64_t kDay11 = kDay10 + 86400;

void exec(ServerFixture& f, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((f.dir.path() / "tally.db").c_str(), &db) == SQLITE_OK);
    char* message = nullptr;
    const auto rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
    INFO((message != nullptr ? message : ""));
    sqlite3_free(message);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
}

void send(ServerFixture& f, TestDevice& d, const std::vector<std::string>& hbs,
          std::int64_t now = kNow) {
    auto r = f.upload(d, d.batch(hbs), now);
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
}

//! Two devices, two users, two days; a resent batch and a batch sent out of order.
struct Month {
    ServerFixture f;
    TestDevice a;
    TestDevice b;
    Month() {
        f.pair(a);
        f.pair(b);
        const auto a1 = a.next_heartbeat(kDay10, 5, {user("alice", 5), user("bob", 2)});
        const auto a2 = a.next_heartbeat(kDay10 + 300, 3, {user("alice", 3)});
        const auto a3 = a.next_heartbeat(kDay11, 4, {user("Alice", 4)});
        const auto a4 = a.next_heartbeat(kDay11 + 300, 0, {});
        send(f, a, {a3, a4});  // the later day first
        send(f, a, {a1, a2});
        send(f, a, {a1, a2});  // a retry: counted once
        const auto b1 = b.next_heartbeat(kDay11, 5, {user("root", 5, true), user("bob", 1)});
        send(f, b, {b1});
    }
};

}  // namespace

TEST_CASE("ingest rolls usage up per month, device, user and day, exactly once", "[rollups]") {
    Month m;
    auto& f = m.f;
    CHECK(f.count("SELECT count(*) FROM rollup_device_month") == 2);
    CHECK(f.count("SELECT heartbeats FROM rollup_device_month WHERE device_id = '" + m.a.device_id +
                  "'") == 4);
    CHECK(f.count("SELECT active_minutes FROM rollup_device_month WHERE device_id = '" +
                  m.a.device_id + "'") == 12);
    CHECK(f.count("SELECT day_mask FROM rollup_device_month WHERE device_id = '" + m.a.device_id +
                  "'") == ((1 << 9) | (1 << 10)));
    CHECK(f.count("SELECT first_active FROM rollup_device_month WHERE device_id = '" +
                  m.a.device_id + "'") == kDay10 - 300);
    CHECK(f.count("SELECT last_active FROM rollup_device_month WHERE device_id = '" +
                  m.a.device_id + "'") == kDay11);
    CHECK(f.count("SELECT active_minutes FROM rollup_user_month WHERE principal = 'alice'") == 8);
    CHECK(f.count("SELECT count(*) FROM rollup_device_day WHERE device_id = '" + m.a.device_id +
                  "'") == 2);
    CHECK(f.count("SELECT active_users FROM rollup_device_day WHERE device_id = '" + m.b.device_id +
                  "'") == 2);
    CHECK(f.count("SELECT sum(late_minutes) FROM rollup_device_month") == 0);

    auto usage = f.store->usage("acme", kNow - 14 * 86400, kNow + 86400);
    REQUIRE(usage.ok());
    REQUIRE(usage->devices.size() == 2);
    CHECK(usage->devices[0].active_minutes + usage->devices[1].active_minutes == 17);
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> users;  // minutes, days
    for (const auto& u : usage->users) {
        users[u.principal] = {u.active_minutes, u.active_days};
    }
    CHECK(users.at("Alice") == std::pair<std::int64_t, std::int64_t>{12, 2});  // alice + Alice
    CHECK(users.at("bob") == std::pair<std::int64_t, std::int64_t>{3, 2});
    CHECK(users.at("root") == std::pair<std::int64_t, std::int64_t>{5, 1});

    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    INFO((check->rollup_differences.empty() ? "" : check->rollup_differences.front()));
    CHECK(check->ok());
    CHECK(check->heartbeats == 5);
    CHECK(check->decoded_ok == 5);
    CHECK(check->links_checked == 5);
}

TEST_CASE("a heartbeat received after its month closed adds to the late columns", "[rollups]") {
    ServerFixture f;
    TestDevice d;
    f.pair(d);
    // 2026-10-31T10:00Z, received 2026-11-15: October closed on 2026-11-03T00:00Z (72 h).
    const std::int64_t october = kNow - 15 * 86400 - 2 * kHour;
    send(f, d, {d.next_heartbeat(october, 5, {user("alice", 5)})});
    CHECK(f.count("SELECT month FROM rollup_device_month") == 202610);
    CHECK(f.count("SELECT late_heartbeats FROM rollup_device_month") == 1);
    CHECK(f.count("SELECT late_minutes FROM rollup_device_month") == 5);
    CHECK(f.count("SELECT late_minutes FROM rollup_user_month") == 5);
    // A longer grace reopens October: the rollups follow the tenant's settings.
    auto s = f.store->tenant_settings("acme");
    REQUIRE(s.ok());
    s->grace_hours = 24 * 30;
    REQUIRE(f.store->update_tenant_settings(*s).ok());
    CHECK(f.count("SELECT late_minutes FROM rollup_device_month") == 0);
    auto check = f.store->verify_evidence("acme", "2026-10");
    REQUIRE(check.ok());
    CHECK(check->ok());
}

TEST_CASE("a change of time zone moves heartbeats to their local day and month", "[rollups]") {
    ServerFixture f;
    TestDevice d;
    f.pair(d);
    // 2026-11-01T02:00Z: still October 31 in New York.
    const std::int64_t first_utc = kNow - 14 * 86400 - 10 * kHour;
    send(f, d, {d.next_heartbeat(first_utc, 5, {user("alice", 5)})});
    CHECK(f.count("SELECT month FROM rollup_device_month") == 202611);
    auto s = f.store->tenant_settings("acme");
    REQUIRE(s.ok());
    s->time_zone = "America/New_York";
    REQUIRE(f.store->update_tenant_settings(*s).ok());
    CHECK(f.count("SELECT month FROM rollup_device_month") == 202610);
    CHECK(f.count("SELECT day_mask FROM rollup_device_month") == (std::int64_t{1} << 30));
    send(f, d, {d.next_heartbeat(first_utc + 300, 5, {user("alice", 5)})});
    auto check = f.store->verify_evidence("acme", "2026-10");
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->heartbeats == 2);
}

TEST_CASE("verify-evidence reports a corrupted heartbeat and a corrupted rollup", "[rollups]") {
    Month m;
    auto& f = m.f;
    exec(f, "UPDATE heartbeats SET bytes = replace(bytes, 'alice', 'mallory') WHERE device_id = '" +
                m.a.device_id + "' AND seq = 2");
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK_FALSE(check->ok());
    REQUIRE(check->problems.size() == 2);  // seq 2's bytes, and seq 3's link to them
    CHECK(check->problems[0].seq == 2);
    CHECK_THAT(check->problems[0].what, Catch::Contains("users"));
    CHECK(check->problems[1].seq == 3);
    CHECK_THAT(check->problems[1].what, Catch::Contains("prev"));
    CHECK(check->rollup_differences.empty());

    exec(f,
         "UPDATE rollup_device_month SET active_minutes = active_minutes + 1 WHERE device_id = '" +
             m.b.device_id + "'");
    check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    REQUIRE(check->rollup_differences.size() == 1);
    CHECK_THAT(check->rollup_differences[0], Catch::Contains(m.b.device_id));
    CHECK(f.store->verify_evidence("acme", "2026-13").error().code == "bad_request");
    CHECK(f.store->verify_evidence("nope", "2026-11").error().code == "not_found");
}

TEST_CASE("verify-evidence compares billing's buckets with the evidence", "[rollups]") {
    Month m;
    auto& f = m.f;
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
    exec(f,
         "UPDATE rollup_bucket_user SET active_minutes = active_minutes + 1 WHERE device_id = '" +
             m.a.device_id + "'");
    exec(f, "DELETE FROM rollup_bucket WHERE device_id = '" + m.b.device_id + "'");
    check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK_FALSE(check->ok());
    bool user_row = false;
    bool missing = false;
    for (const auto& d : check->rollup_differences) {
        user_row = user_row || (d.find("bucket user") == 0 && d.find(m.a.device_id) != d.npos);
        missing = missing || (d.find("bucket:") == 0 && d.find(m.b.device_id) != d.npos &&
                              d.find("missing") != d.npos);
    }
    CHECK(user_row);
    CHECK(missing);
}

TEST_CASE("a schema-7 database gets its rollups from the heartbeats it holds", "[rollups]") {
    Month m;
    auto& f = m.f;
    const auto minutes = f.count("SELECT sum(active_minutes) FROM rollup_user_month");
    f.store.reset();
    // What schema 7 was: the same tables without the rollups.
    exec(f,
         "DROP TABLE rollup_device_month; DROP TABLE rollup_user_month;"
         " DROP TABLE rollup_device_day; DROP TABLE rollup_bucket;"
         " DROP TABLE rollup_bucket_user; PRAGMA user_version = 7;");
    auto reopened = SqliteStore::open((f.dir.path() / "tally.db").string());
    REQUIRE(reopened.ok());
    f.store = std::move(*reopened);
    CHECK(f.count("PRAGMA user_version") == kSchemaVersion);
    CHECK(f.count("SELECT sum(active_minutes) FROM rollup_user_month") == minutes);
    CHECK(f.count("SELECT count(*) FROM rollup_device_day") == 3);
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
}

TEST_CASE("a schema-8 database gets billing's buckets from the heartbeats it holds", "[rollups]") {
    Month m;
    auto& f = m.f;
    const auto buckets = f.count("SELECT count(*) FROM rollup_bucket");
    const auto beats = f.count("SELECT sum(heartbeats) FROM rollup_bucket");
    const auto minutes = f.count("SELECT sum(active_minutes) FROM rollup_bucket_user");
    REQUIRE(buckets > 0);
    CHECK(beats == f.count("SELECT count(*) FROM heartbeats"));
    CHECK(minutes == f.count("SELECT sum(active_minutes) FROM heartbeat_users"));
    f.store.reset();
    // What schema 8 was: the same tables without billing's buckets.
    exec(f,
         "DROP TABLE rollup_bucket; DROP TABLE rollup_bucket_user;"
         " ALTER TABLE rollup_user_month DROP COLUMN first_signal;"
         " ALTER TABLE rollup_user_month DROP COLUMN last_signal; PRAGMA user_version = 8;");
    auto reopened = SqliteStore::open((f.dir.path() / "tally.db").string());
    REQUIRE(reopened.ok());
    f.store = std::move(*reopened);
    CHECK(f.count("PRAGMA user_version") == kSchemaVersion);
    CHECK(f.count("SELECT count(*) FROM rollup_bucket") == buckets);
    CHECK(f.count("SELECT sum(heartbeats) FROM rollup_bucket") == beats);
    CHECK(f.count("SELECT sum(active_minutes) FROM rollup_bucket_user") == minutes);
    CHECK(f.count("SELECT count(*) FROM rollup_user_month WHERE last_signal IS NULL") == 0);
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
}

TEST_CASE("a purge of users leaves the rollups equal to the redacted evidence", "[rollups]") {
    ServerFixture f;
    TestDevice d;
    f.pair(d);
    // 2026-06-10: released 30 days later, purged 90 days after that, before kNow.
    const std::int64_t june = kNow - 158 * 86400;
    const auto bytes = d.next_heartbeat(june, 5, {user("alice", 5)});
    auto decoded = tally::pairing::decode_heartbeat(bytes);
    REQUIRE(decoded.ok());
    REQUIRE(f.store->store_batch(d.device_id, {{bytes, *decoded, false}}, {}, june + 60).ok());
    CHECK(f.count("SELECT count(*) FROM rollup_user_month WHERE principal = 'alice'") == 1);
    auto purged = f.store->purge_users(kNow);
    REQUIRE(purged.ok());
    REQUIRE(purged->users_purged == 1);
    CHECK(f.count("SELECT count(*) FROM rollup_user_month WHERE principal = 'alice'") == 0);
    CHECK(f.count("SELECT count(*) FROM rollup_user_month WHERE principal LIKE 'purged-%'"
                  " AND active_minutes = 5") == 1);
    auto check = f.store->verify_evidence("acme", "2026-06");
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->redacted == 1);
}

TEST_CASE("a zone changed by another process is the zone of the next batch", "[rollups]") {
    ServerFixture f;
    TestDevice d;
    f.pair(d);
    const std::int64_t first_utc = kNow - 14 * 86400 - 10 * kHour;  // 2026-11-01T02:00Z
    send(f, d, {d.next_heartbeat(first_utc, 5, {user("alice", 5)})});
    {
        // A CLI command (`tenant set --time-zone`) on its own connection, serve still running.
        auto cli = SqliteStore::open((f.dir.path() / "tally.db").string());
        REQUIRE(cli.ok());
        auto s = (*cli)->tenant_settings("acme");
        REQUIRE(s.ok());
        s->time_zone = "America/New_York";
        REQUIRE((*cli)->update_tenant_settings(*s).ok());
    }
    send(f, d, {d.next_heartbeat(first_utc + 300, 5, {user("alice", 5)})});
    CHECK(f.count("SELECT count(*) FROM rollup_device_month") == 1);
    CHECK(f.count("SELECT heartbeats FROM rollup_device_month WHERE month = 202610") == 2);
    auto check = f.store->verify_evidence("acme", "2026-10");
    REQUIRE(check.ok());
    CHECK(check->ok());
}

TEST_CASE("tally-server verify-evidence says what it found and exits 1 on a problem", "[rollups]") {
    Month m;
    auto& f = m.f;
    const auto run = [&](std::string& out) {
        std::ostringstream captured;
        auto* old = std::cout.rdbuf(captured.rdbuf());
        const auto rc = cli::run_verify_evidence({"verify-evidence", "--tenant", "acme", "--month",
                                                  "2026-11", "--data-dir", f.dir.path().string()});
        std::cout.rdbuf(old);
        out = captured.str();
        return rc;
    };
    std::string out;
    CHECK(run(out) == cli::kExitOk);
    CHECK_THAT(out, Catch::Contains("5 counted") && Catch::Contains("result: ok"));
    exec(f, "UPDATE rollup_user_month SET day_mask = 0 WHERE principal = 'root'");
    CHECK(run(out) == cli::kExitFailure);
    CHECK_THAT(out, Catch::Contains("problem: rollup user month") && Catch::Contains("'root'") &&
                        Catch::Contains("result: 1 problem(s) found"));
    CHECK(cli::run_verify_evidence({"verify-evidence", "--tenant", "acme"}) == cli::kExitUsage);
}
