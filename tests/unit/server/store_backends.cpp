// The store backends of the shared store tests (see store_backends.h).

#include "store_backends.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace tally::server::test {

std::optional<std::string> postgres_test_url() {
    const char* url = std::getenv("TALLY_TEST_POSTGRES_URL");
    if (url == nullptr || *url == '\0') {
        return std::nullopt;
    }
    return std::string(url);
}

namespace {

//! The URL with its database name replaced (postgresql://user:pw@host:port/NAME).
std::string with_database(const std::string& url, const std::string& name) {
    const auto slash = url.find('/', url.find("//") + 2);
    if (slash == std::string::npos) {
        return url + "/" + name;
    }
    const auto query = url.find('?', slash);
    return url.substr(0, slash + 1) + name + (query == std::string::npos ? "" : url.substr(query));
}

std::unique_ptr<PgConnection> admin_connection(const std::string& url) {
    auto c = PgConnection::connect(url);
    if (!c) {
        throw std::runtime_error("TALLY_TEST_POSTGRES_URL: " + c.error().message);
    }
    return std::move(*c);
}

}  // namespace

PgTestDatabase::PgTestDatabase() {
    const auto base = postgres_test_url();
    if (!base) {
        throw std::runtime_error("TALLY_TEST_POSTGRES_URL is not set");
    }
    admin_url_ = with_database(*base, "postgres");
    static std::atomic<int> counter{0};
    name_ = "tally_test_" + std::to_string(getpid()) + "_" + std::to_string(++counter);
    url_ = with_database(*base, name_);
    admin("CREATE DATABASE " + name_);
}

PgTestDatabase::~PgTestDatabase() {
    try {
        admin("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (const std::exception&) {
        // The cluster is gone (the run is ending): nothing left to drop.
    }
}

void PgTestDatabase::admin(const std::string& sql) const {
    auto c = admin_connection(admin_url_);
    if (auto r = c->command(sql); !r) {
        throw std::runtime_error(sql + ": " + r.error().message);
    }
}

SqliteBackend::SqliteBackend() : store(second()) {}

std::unique_ptr<SqliteStore> SqliteBackend::second() const {
    auto s = SqliteStore::open((dir.path() / "tally.db").string());
    if (!s) {
        throw std::runtime_error("SqliteStore::open: " + s.error().message);
    }
    return std::move(*s);
}

PostgresBackend::PostgresBackend() : store(second()) {}

std::unique_ptr<PostgresStore> PostgresBackend::second() const {
    auto s = PostgresStore::open(db.url());
    if (!s) {
        throw std::runtime_error("PostgresStore::open: " + s.error().message);
    }
    return std::move(*s);
}

}  // namespace tally::server::test
