#pragma once
// The store backends that the same tests run against (test_store_backends.cpp): SQLite in a
// temporary directory, and PostgreSQL in a database of its own on the cluster named by
// TALLY_TEST_POSTGRES_URL (scripts/test starts one with scripts/postgres-cluster). Without
// that variable the PostgreSQL cases are not run: CTest reports them skipped.

#include <memory>
#include <optional>
#include <string>

#include "server/store/postgres/postgres_store.h"
#include "server/store/sqlite_store.h"
#include "server_fixture.h"

namespace tally::server::test {

//! The cluster's URL, or nullopt when TALLY_TEST_POSTGRES_URL is not set.
std::optional<std::string> postgres_test_url();

//! A database of its own on the test cluster, dropped (sessions and all) at scope exit.
class PgTestDatabase {
  public:
    PgTestDatabase();  //!< throws when the cluster refuses: the test then fails, named
    ~PgTestDatabase();
    PgTestDatabase(const PgTestDatabase&) = delete;
    PgTestDatabase& operator=(const PgTestDatabase&) = delete;
    const std::string& url() const { return url_; }
    const std::string& name() const { return name_; }
    //! Runs SQL as the cluster's owner in the maintenance database (test set-up only).
    void admin(const std::string& sql) const;

  private:
    std::string admin_url_;
    std::string name_;
    std::string url_;
};

struct SqliteBackend {
    TempDir dir;
    std::unique_ptr<SqliteStore> store;
    SqliteBackend();
    //! Another store over the same data, as a second server would have.
    std::unique_ptr<SqliteStore> second() const;
};

struct PostgresBackend {
    PgTestDatabase db;
    std::unique_ptr<PostgresStore> store;
    PostgresBackend();
    std::unique_ptr<PostgresStore> second() const;
};

}  // namespace tally::server::test

// A test body template run once per backend: BACKEND_TEST(title, body) makes a [sqlite] and
// a [postgres] case (the PostgreSQL one fails, named, when the cluster is unreachable).
#define BACKEND_TEST(title, body)                  \
    TEST_CASE(title " (sqlite)", "[sqlite]") {     \
        body<SqliteBackend>();                     \
    }                                              \
    TEST_CASE(title " (postgres)", "[postgres]") { \
        body<PostgresBackend>();                   \
    }
