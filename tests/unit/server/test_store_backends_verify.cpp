// verify-evidence (EvidenceVerifyStore) on both backends ([sqlite] and [postgres], the same
// bodies): real signed batches stored with store_signed_batch verify byte for byte, the chain
// and the rollups recomputed from the evidence hold; one changed byte of a stored body or of a
// stored signature is found and named; a changed rollup is found; bad month and tenant named.

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include "pairing/bytes.h"
#include "pairing/crypto.h"
#include "store_backends.h"

using namespace tally::server;
using namespace tally::server::test;
namespace pairing = tally::pairing;

namespace {

//! Runs `sql` (one parameter: the device id) on the backend's database, outside the store.
void exec(SqliteBackend& b, const std::string& sql, const std::string& device) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((b.dir.path() / "tally.db").c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) == SQLITE_OK);
    sqlite3_bind_text(s, 1, device.c_str(), -1, SQLITE_TRANSIENT);
    CHECK(sqlite3_step(s) == SQLITE_DONE);
    CHECK(sqlite3_changes(db) == 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

void exec(PostgresBackend& b, const std::string& sql, const std::string& device) {
    auto c = PgConnection::connect(b.db.url());
    REQUIRE(c.ok());
    auto r = (*c)->exec(sql, {pg_param(device)});
    REQUIRE(r.ok());
}

// One bit of byte 30 of the device's first evidence batch's body or signature flipped.
void flip(SqliteBackend& b, const std::string& device, const char* column) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open((b.dir.path() / "tally.db").c_str(), &db) == SQLITE_OK);
    const std::string c = column;
    sqlite3_stmt* read = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               ("SELECT id, " + c +
                                " FROM evidence_batches WHERE device_id = ?1 ORDER BY id LIMIT 1")
                                   .c_str(),
                               -1, &read, nullptr) == SQLITE_OK);
    sqlite3_bind_text(read, 1, device.c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(read) == SQLITE_ROW);
    const auto id = sqlite3_column_int64(read, 0);
    std::string blob(static_cast<const char*>(sqlite3_column_blob(read, 1)),
                     static_cast<std::size_t>(sqlite3_column_bytes(read, 1)));
    sqlite3_finalize(read);
    REQUIRE(blob.size() > 30);
    blob[30] = static_cast<char>(blob[30] ^ 0x01);
    sqlite3_stmt* write = nullptr;
    REQUIRE(sqlite3_prepare_v2(db,
                               ("UPDATE evidence_batches SET " + c + " = ?1 WHERE id = ?2").c_str(),
                               -1, &write, nullptr) == SQLITE_OK);
    sqlite3_bind_blob(write, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(write, 2, id);
    CHECK(sqlite3_step(write) == SQLITE_DONE);
    sqlite3_finalize(write);
    sqlite3_close(db);
}

void flip(PostgresBackend& b, const std::string& device, const char* column) {
    const std::string c = column;
    exec(b,
         "UPDATE heartbeat_evidence SET " + c + " = set_byte(" + c + ", 30, get_byte(" + c +
             ", 30) # 1) WHERE device_id = $1 AND first_seq = 1",
         device);
}

const char* rollup_sql(const SqliteBackend&) {
    return "UPDATE rollup_device_month SET active_minutes = active_minutes + 1"
           " WHERE device_id = ?1";
}
const char* rollup_sql(const PostgresBackend&) {
    return "UPDATE rollup_device_month SET active_minutes = active_minutes + 1"
           " WHERE device_id = $1";
}

//! A tenant with two paired devices, each with two signed batches of the month stored.
template <class B>
struct SignedMonth {
    B b;
    TestDevice a, c;
    SignedMonth() {
        REQUIRE(b.store->add_tenant("acme", kNow - 86400).ok());
        const auto hash = pairing::hex_encode(pairing::sha256(std::string("code-1")));
        REQUIRE(b.store->add_pairing_code({"acme", hash, 5, kNow + 86400}, kNow - 86400).ok());
        a.device_id = "dev-a";
        c.device_id = "dev-c";
        for (auto* d : {&a, &c}) {
            PairAttempt p;
            p.code_hash = hash;
            const auto key = d->key.public_key();
            p.public_key = std::string(key.begin(), key.end());
            p.facts = {"host", "linux", "12", "1.0.0", "business", "workstation", "fp"};
            p.new_device_id = d->device_id;
            p.now = kNow - 86400;
            REQUIRE(b.store->pair_device(p).ok());
            upload(*d, {d->next_heartbeat(kNow - 3000, 5, {user("alice", 5)}),
                        d->next_heartbeat(kNow - 2700, 4, {user("bob", 3, true)})});
            upload(*d, {d->next_heartbeat(kNow - 2400, 5, {user("alice", 2)})});
        }
    }
    void upload(const TestDevice& d, const std::vector<std::string>& texts) {
        const auto body = d.batch(texts);
        std::vector<AcceptedHeartbeat> hbs;
        for (const auto& t : texts) {
            hbs.push_back({t, *pairing::decode_heartbeat(t), false});
        }
        const auto sig = pairing::base64url_decode(body.signature);
        REQUIRE(sig.has_value());
        const SignedUpload signed_body{body.body, std::string(pairing::as_chars(*sig))};
        auto r = b.store->store_signed_batch(d.device_id, signed_body, hbs, {}, kNow);
        REQUIRE(r.ok());
        CHECK(r->accepted == texts.size());
    }
};

template <class B>
void verify_body() {
    SignedMonth<B> m;
    Store& s = *m.b.store;
    auto check = s.verify_evidence("acme", "2026-11");
    REQUIRE(check.ok());
    CHECK(check->ok());
    CHECK(check->batches == 4);
    CHECK(check->signatures_ok == 4);
    CHECK(check->unsigned_batches == 0);
    CHECK(check->heartbeats == 6);
    CHECK(check->links_checked == 6);
    CHECK(check->rollup_rows > 0);
    CHECK(check->time_zone == "UTC");
    SECTION("one byte of a stored body changed: its signature fails, named") {
        flip(m.b, m.a.device_id, "body");
        check = s.verify_evidence("acme", "2026-11");
        REQUIRE(check.ok());
        CHECK_FALSE(check->ok());
        REQUIRE_FALSE(check->problems.empty());
        CHECK(check->problems[0].device_id == m.a.device_id);
        CHECK_THAT(check->problems[0].what, Catch::Contains("does not verify"));
        CHECK(check->signatures_ok == 3);
    }
    SECTION("one byte of a stored signature changed") {
        flip(m.b, m.c.device_id, "signature");
        check = s.verify_evidence("acme", "2026-11");
        REQUIRE(check.ok());
        REQUIRE(check->problems.size() == 1);
        CHECK(check->problems[0].device_id == m.c.device_id);
        CHECK_THAT(check->problems[0].what, Catch::Contains("does not verify"));
        CHECK(check->signatures_ok == 3);
        CHECK(check->rollup_differences.empty());
    }
    SECTION("a stored rollup changed") {
        exec(m.b, rollup_sql(m.b), m.c.device_id);
        check = s.verify_evidence("acme", "2026-11");
        REQUIRE(check.ok());
        CHECK(check->problems.empty());
        REQUIRE(check->rollup_differences.size() == 1);
        CHECK_THAT(check->rollup_differences[0], Catch::Contains(m.c.device_id));
    }
    CHECK(s.verify_evidence("acme", "2026-13").error().code == "bad_request");
    CHECK(s.verify_evidence("nope", "2026-11").error().code == "not_found");
}

}  // namespace

BACKEND_TEST("verify-evidence re-verifies signed batches, chains and rollups", verify_body)
