// Usage rollups at ingest (server/store/rollups.h), their migration from schema 7 (and the user
// days' from schema 12), and
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
    std::string b1;  //!< b's one heartbeat
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
        b1 = b.next_heartbeat(kDay11, 5, {user("root", 5, true), user("bob", 1)});
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

//! Flips one bit of byte `at` of column `column` of the evidence batch holding `seq` of `device`.
void tamper(ServerFixture& f, const std::string& device, std::uint64_t seq, const char* column,
            std::size_t at) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((f.dir.path() / "tally.db").c_str(), &db) == SQLITE_OK);
    const auto where = " FROM evidence_batches WHERE device_id = '" + device +
                       "' AND first_seq <= " + std::to_string(seq) +
                       " AND last_seq >= " + std::to_string(seq);
    sqlite3_stmt* read = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, (std::string("SELECT id, ") + column + where).c_str(), -1, &read,
                               nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(read) == SQLITE_ROW);
    const auto id = sqlite3_column_int64(read, 0);
    std::string blob(static_cast<const char*>(sqlite3_column_blob(read, 1)),
                     static_cast<std::size_t>(sqlite3_column_bytes(read, 1)));
    sqlite3_finalize(read);
    REQUIRE(at < blob.size());
    blob[at] = static_cast<char>(blob[at] ^ 0x01);
    sqlite3_stmt* write = nullptr;
    REQUIRE(
        sqlite3_prepare_v2(
            db,
            (std::string("UPDATE evidence_batches SET ") + column + " = ? WHERE id = ?").c_str(),
            -1, &write, nullptr) == SQLITE_OK);
    sqlite3_bind_blob(write, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(write, 2, id);
    REQUIRE(sqlite3_step(write) == SQLITE_DONE);
    sqlite3_finalize(write);
    sqlite3_close(db);
}

TEST_CASE("verify-evidence re-verifies each stored batch's signature byte for byte", "[rollups]") {
    Month m;
    auto& f = m.f;
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->batches == 3);  // the retry counted nothing: no batch kept for it
    CHECK(check->signatures_ok == 3);
    CHECK(check->heartbeats == 5);
    CHECK(check->links_checked == 5);
    SECTION("one byte of a stored body changed: its signature fails, named") {
        tamper(f, m.a.device_id, 2, "body", 30);
        check = f.store->verify_evidence("acme", "2026-11");
        REQUIRE(check.ok());
        CHECK_FALSE(check->ok());
        REQUIRE_FALSE(check->problems.empty());
        CHECK(check->problems[0].device_id == m.a.device_id);
        CHECK_THAT(check->problems[0].what, Catch::Contains("does not verify"));
        CHECK(check->signatures_ok == 2);
    }
    SECTION("one byte of a stored signature changed") {
        tamper(f, m.b.device_id, 1, "signature", 5);
        check = f.store->verify_evidence("acme", "2026-11");
        REQUIRE(check.ok());
        REQUIRE(check->problems.size() == 1);
        CHECK(check->problems[0].device_id == m.b.device_id);
        CHECK_THAT(check->problems[0].what, Catch::Contains("does not verify"));
        CHECK(check->rollup_differences.empty());
    }
}

TEST_CASE("verify-evidence reports a corrupted rollup", "[rollups]") {
    Month m;
    auto& f = m.f;
    exec(f,
         "UPDATE rollup_device_month SET active_minutes = active_minutes + 1 WHERE device_id = '" +
             m.b.device_id + "'");
    auto check = f.store->verify_evidence("acme", "2026-11");
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

//! Rewrites the fixture's database into what schema 9 stored: a row per heartbeat (its exact
//! bytes and numbers) and per heartbeat user, no evidence batches.
void downgrade_to_schema_9(ServerFixture& f) {
    const auto bytes = f.counted_bytes();
    const auto received = f.count("SELECT min(received_at) FROM evidence_batches");
    REQUIRE(received == f.count("SELECT max(received_at) FROM evidence_batches"));
    std::string sql =
        "CREATE TABLE heartbeats (device_id TEXT NOT NULL REFERENCES devices(id),"
        " seq INTEGER NOT NULL, bytes BLOB NOT NULL, start_ts INTEGER NOT NULL,"
        " end_ts INTEGER NOT NULL, device_active_minutes INTEGER NOT NULL,"
        " received_at INTEGER NOT NULL, PRIMARY KEY (device_id, seq));"
        "CREATE INDEX heartbeats_start ON heartbeats(device_id, start_ts);"
        "CREATE TABLE heartbeat_users (device_id TEXT NOT NULL, seq INTEGER NOT NULL,"
        " principal TEXT NOT NULL, local INTEGER NOT NULL, kind TEXT NOT NULL,"
        " active_minutes INTEGER NOT NULL, PRIMARY KEY (device_id, seq, principal, local),"
        " FOREIGN KEY (device_id, seq) REFERENCES heartbeats(device_id, seq));"
        "CREATE INDEX heartbeat_users_principal ON heartbeat_users(principal);";
    // Each device's heartbeats in seq order: the device of a heartbeat is that of its batch.
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((f.dir.path() / "tally.db").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               "SELECT device_id, last_seq - first_seq + 1 FROM evidence_batches"
                               " ORDER BY device_id, first_seq",
                               -1, &s, nullptr) == SQLITE_OK);
    std::size_t i = 0;
    while (sqlite3_step(s) == SQLITE_ROW) {
        const std::string device = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
        for (auto n = sqlite3_column_int64(s, 1); n > 0; --n, ++i) {
            REQUIRE(i < bytes.size());
            const auto hb = tally::pairing::decode_heartbeat(bytes[i]);
            REQUIRE(hb.ok());
            const auto key = "'" + device + "', " + std::to_string(hb->seq);
            sql += "INSERT INTO heartbeats VALUES (" + key + ", CAST('" + bytes[i] +
                   "' AS BLOB), " + std::to_string(hb->start) + ", " + std::to_string(hb->end) +
                   ", " + std::to_string(hb->device_active_minutes) + ", " +
                   std::to_string(received) + ");";
            for (const auto& u : hb->users) {
                sql += "INSERT INTO heartbeat_users VALUES (" + key + ", '" + u.principal + "', " +
                       (u.local ? "1" : "0") + ", '" + u.kind + "', " +
                       std::to_string(u.active_minutes) + ");";
            }
        }
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    REQUIRE(i == bytes.size());
    f.store.reset();
    exec(f, sql +
                "DROP TABLE evidence_batches; DROP TABLE evidence_horizon;"
                " ALTER TABLE devices DROP COLUMN evidence_floor; PRAGMA user_version = 9;");
}

void reopen(ServerFixture& f) {
    auto reopened = SqliteStore::open((f.dir.path() / "tally.db").string());
    INFO((reopened.ok() ? std::string() : reopened.error().message));
    REQUIRE(reopened.ok());
    f.store = std::move(*reopened);
    CHECK(f.count("PRAGMA user_version") == kSchemaVersion);
}

TEST_CASE("a schema-9 database's heartbeats become evidence batches", "[rollups]") {
    Month m;
    auto& f = m.f;
    const auto counted = f.counted_bytes();
    const auto rows = f.count("SELECT count(*) FROM rollup_bucket_user") +
                      f.count("SELECT count(*) FROM rollup_user_month");
    downgrade_to_schema_9(f);
    CHECK(f.count("SELECT count(*) FROM heartbeat_users") == 6);
    reopen(f);
    CHECK(f.counted_bytes() == counted);  // the exact bytes, kept
    CHECK(f.count("SELECT count(*) FROM sqlite_master WHERE name LIKE 'heartbeat%'") == 0);
    CHECK(f.count("SELECT count(*) FROM evidence_batches WHERE kind = 1") == 2);  // one a device
    CHECK(f.count("SELECT count(*) FROM rollup_bucket_user") +
              f.count("SELECT count(*) FROM rollup_user_month") ==
          rows);
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->unsigned_batches == 2);
    CHECK(check->links_checked == 5);
    // The dedupe still knows the migrated seqs: a retry counts nothing.
    auto again = f.upload(m.b, m.b.batch({m.b1}));
    REQUIRE(again.ok());
    CHECK(again->ack.duplicates == 1);
    CHECK(again->ack.accepted == 0);
}

TEST_CASE("a schema-7 database gets its rollups from the heartbeats it holds", "[rollups]") {
    Month m;
    auto& f = m.f;
    const auto minutes = f.count("SELECT sum(active_minutes) FROM rollup_user_month");
    downgrade_to_schema_9(f);
    // What schema 7 was: the same tables without the rollups.
    exec(f,
         "DROP TABLE rollup_device_month; DROP TABLE rollup_user_month;"
         " DROP TABLE rollup_device_day; DROP TABLE rollup_bucket;"
         " DROP TABLE rollup_bucket_user; PRAGMA user_version = 7;");
    reopen(f);
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
    CHECK(beats == f.counted());
    downgrade_to_schema_9(f);
    CHECK(minutes == f.count("SELECT sum(active_minutes) FROM heartbeat_users"));
    // What schema 8 was: the same tables without billing's buckets.
    exec(f,
         "DROP TABLE rollup_bucket; DROP TABLE rollup_bucket_user;"
         " ALTER TABLE rollup_user_month DROP COLUMN first_signal;"
         " ALTER TABLE rollup_user_month DROP COLUMN last_signal; PRAGMA user_version = 8;");
    reopen(f);
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

namespace {

TEST_CASE("rollup_user_day: each user's minutes per device and day, checked by verify-evidence",
          "[rollups]") {
    Month m;
    auto& f = m.f;
    const auto minutes = f.count("SELECT sum(active_minutes) FROM rollup_bucket_user");
    REQUIRE(minutes > 0);
    CHECK(f.count("SELECT sum(active_minutes) FROM rollup_user_day") == minutes);
    CHECK(f.count("SELECT count(*) FROM rollup_user_day WHERE active_minutes <= 0") == 0);
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
    exec(f, "UPDATE rollup_user_day SET active_minutes = active_minutes + 1 WHERE device_id = '" +
                m.a.device_id + "'");
    check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK_FALSE(check->ok());
    bool user_day = false;
    for (const auto& d : check->rollup_differences) {
        user_day = user_day || (d.find("user day") == 0 && d.find(m.a.device_id) != d.npos);
    }
    CHECK(user_day);
}

TEST_CASE("a schema-12 database gets its user days from the hourly user buckets", "[rollups]") {
    Month m;
    auto& f = m.f;
    const auto rows = f.count("SELECT count(*) FROM rollup_user_day");
    const auto minutes = f.count("SELECT sum(active_minutes) FROM rollup_user_day");
    REQUIRE(rows > 0);
    exec(f, "DROP TABLE rollup_user_day; PRAGMA user_version = 12;");
    reopen(f);
    CHECK(f.count("SELECT count(*) FROM rollup_user_day") == rows);
    CHECK(f.count("SELECT sum(active_minutes) FROM rollup_user_day") == minutes);
    auto check = f.store->verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
}

}  // namespace
