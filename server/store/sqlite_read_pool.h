#pragma once
// A few read-only SQLite connections shared by request threads: a request leases one for a
// look-up and gives it back. One shared read connection behind a mutex made concurrent
// uploads queue on that mutex (futex waits were a fifth of all context switches). A leased
// connection sees the last committed state (WAL), never a transaction in progress.

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pairing/result.h"
#include "server/store/sqlite_db.h"

namespace tally::server {

class SqliteReadPool {
  public:
    SqliteReadPool(std::string path, std::size_t max_connections)
        : path_(std::move(path)), max_(max_connections) {}

    //! A connection for the lease's lifetime; back to the pool when it is destroyed.
    class Lease {
      public:
        Lease(SqliteReadPool& pool, std::unique_ptr<SqliteDb> db)
            : pool_(&pool), db_(std::move(db)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        ~Lease();
        SqliteDb& db() { return *db_; }

      private:
        SqliteReadPool* pool_;
        std::unique_ptr<SqliteDb> db_;
    };

    //! Waits while `max_connections` are leased; opens connections as needed.
    Result<Lease> acquire();

  private:
    void give_back(std::unique_ptr<SqliteDb> db);

    const std::string path_;
    const std::size_t max_;
    std::mutex mutex_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<SqliteDb>> idle_;
    std::size_t open_ = 0;
};

}  // namespace tally::server
