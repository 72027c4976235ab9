// The SQLite store itself: schema versioning, persistence, tokens, concurrent writers.

#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "server/auth/admin_token.h"
#include "server/store/schema.h"
#include "server_fixture.h"

using namespace tally::server;
using namespace tally::server::test;

TEST_CASE("the schema is versioned and survives reopening", "[store]") {
    TempDir dir;
    const auto path = (dir.path() / "tally.db").string();
    {
        auto store = SqliteStore::open(path);
        REQUIRE(store.ok());
        REQUIRE((*store)->add_tenant("acme", kNow).ok());
        CHECK((*store)->add_tenant("acme", kNow).error().code == "exists");
    }
    auto again = SqliteStore::open(path);
    REQUIRE(again.ok());
    auto tenants = (*again)->list_tenants();
    REQUIRE(tenants.ok());
    REQUIRE(tenants->size() == 1);
    CHECK((*tenants)[0].name == "acme");
    CHECK((*tenants)[0].status == "active");

    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    CHECK(sqlite3_column_int(stmt, 0) == kSchemaVersion);
    sqlite3_finalize(stmt);
    REQUIRE(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
    auto newer = SqliteStore::open(path);
    REQUIRE_FALSE(newer.ok());
    CHECK_THAT(newer.error().message, Catch::Contains("newer"));
}

TEST_CASE("admin tokens are stored hashed and bound to a tenant or global", "[store]") {
    ServerFixture f;
    const auto token = generate_admin_token();
    CHECK(token.rfind("tat_", 0) == 0);
    CHECK(token.size() == 4 + 43);
    REQUIRE(f.store->add_admin_token(hash_admin_token(token), "acme", kNow).ok());
    CHECK(f.count("SELECT count(*) FROM admin_tokens WHERE token_hash = '" +
                  hash_admin_token(token) + "'") == 1);
    CHECK(f.store->add_admin_token("x", "nope", kNow).error().code == "not_found");
    CHECK(f.count("SELECT count(*) FROM admin_tokens") == 1);  // no global token by mistake
    CHECK(authorize_tenant_access(*f.store, "Bearer " + token, "acme", kNow).ok());
    CHECK(authorize_tenant_access(*f.store, "Bearer " + token, "other", kNow).error().code ==
          "forbidden");
    CHECK(authorize_tenant_access(*f.store, "Bearer nope", "acme", kNow).error().code ==
          "unauthorized");
    CHECK(authorize_tenant_access(*f.store, token, "acme", kNow).error().code == "unauthorized");
}

TEST_CASE("admin tokens expire, carry a name and can be revoked", "[store]") {
    ServerFixture f;
    const auto token = generate_admin_token();
    const auto hash = hash_admin_token(token);
    REQUIRE(f.store->create_admin_token({hash, "acme", "msp portal", kNow + 3600}, kNow).ok());
    const auto bearer = "Bearer " + token;
    CHECK(authorize_tenant_access(*f.store, bearer, "acme", kNow + 3599).ok());
    CHECK(authorize_tenant_access(*f.store, bearer, "acme", kNow + 3600).error().code ==
          "unauthorized");  // expired
    auto listed = f.store->list_admin_tokens();
    REQUIRE(listed.ok());
    REQUIRE(listed->size() == 1);
    const auto& info = listed->front();
    CHECK(info.id == hash.substr(0, 12));
    CHECK(info.name == "msp portal");
    CHECK(info.tenant == std::optional<std::string>("acme"));
    CHECK(info.expires_at == std::optional<std::int64_t>(kNow + 3600));
    CHECK_FALSE(info.revoked_at);
    CHECK(f.store->revoke_admin_token("000000000000", kNow).error().code == "not_found");
    CHECK(f.store->revoke_admin_token("zz", kNow).error().code == "not_found");
    REQUIRE(f.store->revoke_admin_token(info.id, kNow + 10).ok());
    REQUIRE(f.store->revoke_admin_token(info.id, kNow + 20).ok());  // the first time is kept
    CHECK(f.store->list_admin_tokens()->front().revoked_at ==
          std::optional<std::int64_t>(kNow + 10));
    CHECK(authorize_tenant_access(*f.store, bearer, "acme", kNow + 11).error().code ==
          "unauthorized");  // revoked
    auto found = find_usable_admin_token(*f.store, hash, kNow + 11);
    REQUIRE(found.ok());
    CHECK_FALSE(found->has_value());
}

TEST_CASE("concurrent uploads from several devices are all stored exactly once", "[store]") {
    ServerFixture f;
    std::vector<TestDevice> devices(4);
    for (auto& d : devices) {
        f.pair(d);
    }
    std::vector<std::vector<SignedBody>> bodies(devices.size());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        for (int b = 0; b < 10; ++b) {
            const auto end = kNow - 86400 + b * 600;
            bodies[i].push_back(devices[i].batch(
                {devices[i].next_heartbeat(end - 300), devices[i].next_heartbeat(end)}));
        }
    }
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < devices.size(); ++i) {
        threads.emplace_back([&, i] {
            for (const auto& body : bodies[i]) {
                // Each batch twice: the replay must count nothing.
                for (int twice = 0; twice < 2; ++twice) {
                    if (!f.upload(devices[i], body).ok()) {
                        ++failures;
                    }
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    CHECK(failures == 0);
    CHECK(f.counted() == 4 * 20);
    CHECK(f.count("SELECT min(acked_through) FROM devices") == 20);
}
