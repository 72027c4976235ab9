// Pool of read connections (see sqlite_read_pool.h).

#include "server/store/sqlite_read_pool.h"

namespace tally::server {

SqliteReadPool::Lease::~Lease() {
    if (db_) {
        pool_->give_back(std::move(db_));
    }
}

Result<SqliteReadPool::Lease> SqliteReadPool::acquire() {
    std::unique_lock lock(mutex_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_; });
    if (!idle_.empty()) {
        auto db = std::move(idle_.back());
        idle_.pop_back();
        return Lease(*this, std::move(db));
    }
    ++open_;
    lock.unlock();
    auto db = SqliteDb::open(path_);
    if (!db) {
        lock.lock();
        --open_;
        cv_.notify_one();
        return db.error();
    }
    return Lease(*this, std::move(*db));
}

void SqliteReadPool::give_back(std::unique_ptr<SqliteDb> db) {
    {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(db));
    }
    cv_.notify_one();
}

}  // namespace tally::server
