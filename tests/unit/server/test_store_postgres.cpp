// What only the PostgreSQL store has: versioned migrations shared by several servers, the
// refusal of a newer database, the bounded pool and the retry of transient failures.

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "server/store/postgres/pg_schema.h"
#include "server/store/postgres/pg_transaction.h"
#include "store_backends.h"

using namespace tally::server;
using namespace tally::server::test;
using tally::make_error;
using tally::Result;

TEST_CASE("postgres: servers starting at once migrate once; a newer database is refused",
          "[postgres]") {
    PgTestDatabase db;
    std::vector<std::thread> servers;
    std::vector<Result<std::unique_ptr<PostgresStore>>> opened;
    for (int i = 0; i < 4; ++i) {
        opened.emplace_back(make_error("not_run", "not opened"));
    }
    for (std::size_t i = 0; i < opened.size(); ++i) {
        servers.emplace_back([&, i] { opened[i] = PostgresStore::open(db.url(), 2); });
    }
    for (auto& t : servers) {
        t.join();
    }
    for (const auto& o : opened) {
        INFO((o ? std::string() : o.error().message));
        CHECK(o.ok());
    }
    auto check = PgConnection::connect(db.url());
    REQUIRE(check.ok());
    auto v = (*check)->exec("SELECT version FROM tally_schema_version");
    REQUIRE(v.ok());
    REQUIRE(v->rows() == 1);
    CHECK(v->int64(0, 0) == kPgSchemaVersion);

    REQUIRE((*check)->command("UPDATE tally_schema_version SET version = 99").ok());
    auto newer = PostgresStore::open(db.url());
    REQUIRE_FALSE(newer.ok());
    CHECK(newer.error().code == "schema_newer");
    CHECK_THAT(newer.error().message, Catch::Contains("version 99"));
}

TEST_CASE("postgres: a bad URL or an unreachable server is a clear error", "[postgres]") {
    auto bad = PostgresStore::open("sqlite:/tmp/x.db");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().code == "bad_request");
    // Port 1 on loopback: nothing listens there.
    auto down = PostgresStore::open("postgresql://tally:secret-pw@127.0.0.1:1/tally");
    REQUIRE_FALSE(down.ok());
    CHECK(down.error().code == "db_unavailable");
    CHECK(down.error().message.find("secret-pw") == std::string::npos);
}

TEST_CASE("postgres: a lost connection is retried, the caller sees one answer", "[postgres]") {
    PostgresBackend b;
    REQUIRE(b.store->add_tenant("acme", kNow).ok());
    // Every session of this database is ended, as a restart or failover would: the store's
    // pooled connection is dead, and the next call reconnects and answers.
    b.db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
               b.db.name() + "' AND pid <> pg_backend_pid()");
    // Wait until the sessions are really gone, so the next call meets a dead connection.
    auto watch = PgConnection::connect(b.db.url());
    REQUIRE(watch.ok());
    std::int64_t others = -1;
    for (int i = 0; i < 500 && others != 0; ++i) {
        auto n = (*watch)->exec(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()");
        REQUIRE(n.ok());
        others = n->int64(0, 0);
        if (others != 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    REQUIRE(others == 0);
    auto found = b.store->find_tenant("acme");
    INFO((found ? std::string() : found.error().message));
    REQUIRE(found.ok());
    CHECK(found->has_value());
    REQUIRE(b.store->add_tenant("beta", kNow).ok());
}

TEST_CASE("postgres: transient errors run the work again; others end it", "[postgres]") {
    PgTestDatabase db;
    auto pool = PgPool::open(db.url(), 1);
    REQUIRE(pool.ok());
    int runs = 0;
    auto r = pg_transaction(**pool, [&](PgConnection& c) -> Result<int> {
        ++runs;
        if (runs < 3) {
            // A real serialization failure, raised by the server.
            return c.command(
                        "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '40001'; "
                        "END $$")
                           .ok()
                       ? Result<int>(0)
                       : Result<int>(make_error("db_retry", "raised"));
        }
        return 42;
    });
    REQUIRE(r.ok());
    CHECK(*r == 42);
    CHECK(runs == 3);

    runs = 0;
    auto fails = pg_transaction(**pool, [&](PgConnection& c) -> Result<int> {
        ++runs;
        auto bad = c.command("SELECT * FROM no_such_table");
        return bad ? Result<int>(1) : Result<int>(bad.error());
    });
    REQUIRE_FALSE(fails.ok());
    CHECK(fails.error().code == "db");
    CHECK(runs == 1);
}

TEST_CASE("postgres: the pool never opens more connections than its size", "[postgres]") {
    PgTestDatabase db;
    auto store = PostgresStore::open(db.url(), 3);
    REQUIRE(store.ok());
    REQUIRE((*store)->add_tenant("acme", kNow).ok());
    std::vector<std::thread> callers;
    for (int i = 0; i < 20; ++i) {
        callers.emplace_back([&] {
            for (int k = 0; k < 10; ++k) {
                CHECK((*store)->find_tenant("acme").ok());
            }
        });
    }
    for (auto& t : callers) {
        t.join();
    }
    auto check = PgConnection::connect(db.url());
    REQUIRE(check.ok());
    auto n = (*check)->exec(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid()");
    REQUIRE(n.ok());
    CHECK(n->int64(0, 0) <= 3);
}
