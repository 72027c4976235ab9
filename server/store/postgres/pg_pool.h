#pragma once
// A bounded pool of PostgreSQL connections: at most `size` are open; a caller waits (up to a
// limit) for a free one. A connection found broken when it comes back is closed, so the next
// caller gets a fresh one (how a lost connection is survived).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "server/store/postgres/pg_connection.h"

namespace tally::server {

class PgPool {
  public:
    //! Hands its connection back to the pool when it goes out of scope.
    class Lease {
      public:
        Lease(PgPool& pool, std::unique_ptr<PgConnection> conn)
            : pool_(&pool), conn_(std::move(conn)) {}
        Lease(Lease&& other) noexcept = default;
        Lease& operator=(Lease&&) = delete;
        Lease(const Lease&) = delete;
        ~Lease();
        PgConnection& operator*() { return *conn_; }
        PgConnection* operator->() { return conn_.get(); }

      private:
        PgPool* pool_;
        std::unique_ptr<PgConnection> conn_;
    };

    //! Opens one connection at once so a bad URL or an unreachable server fails here.
    static Result<std::unique_ptr<PgPool>> open(const std::string& url, std::size_t size);

    //! Errors: db_unavailable (cannot connect), db_busy (no connection free in time).
    Result<Lease> acquire();
    std::size_t size() const { return size_; }

  private:
    PgPool(std::string url, std::size_t size) : url_(std::move(url)), size_(size) {}
    void release(std::unique_ptr<PgConnection> conn);

    static constexpr std::chrono::seconds kWait{30};
    const std::string url_;
    const std::size_t size_;
    std::mutex mutex_;
    std::condition_variable freed_;
    std::vector<std::unique_ptr<PgConnection>> idle_;
    std::size_t open_ = 0;  //!< idle plus leased
};

}  // namespace tally::server
