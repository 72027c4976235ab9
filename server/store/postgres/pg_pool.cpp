// PgPool (see pg_pool.h).

#include "server/store/postgres/pg_pool.h"

namespace tally::server {

PgPool::Lease::~Lease() {
    if (conn_) {
        pool_->release(std::move(conn_));
    }
}

Result<std::unique_ptr<PgPool>> PgPool::open(const std::string& url, std::size_t size) {
    if (size == 0) {
        return make_error("bad_request", "the PostgreSQL pool needs at least one connection");
    }
    std::unique_ptr<PgPool> pool(new PgPool(url, size));
    auto first = pool->acquire();
    if (!first) {
        return first.error();
    }
    return pool;
}

Result<PgPool::Lease> PgPool::acquire() {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_for(lock, kWait, [&] { return !idle_.empty() || open_ < size_; })) {
        return make_error("db_busy", "all " + std::to_string(size_) +
                                         " PostgreSQL connections stayed busy for " +
                                         std::to_string(kWait.count()) + " s");
    }
    if (!idle_.empty()) {
        auto conn = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(conn));
    }
    ++open_;
    lock.unlock();
    auto conn = PgConnection::connect(url_);
    if (!conn) {
        lock.lock();
        --open_;
        freed_.notify_one();
        return conn.error();
    }
    return Lease(*this, std::move(*conn));
}

void PgPool::release(std::unique_ptr<PgConnection> conn) {
    std::lock_guard lock(mutex_);
    if (conn->broken()) {
        --open_;  // closed as it goes out of scope; the next acquire connects anew
    } else {
        idle_.push_back(std::move(conn));
    }
    freed_.notify_one();
}

}  // namespace tally::server
