// Background WAL checkpoints (see wal_checkpointer.h).

#include "server/store/wal_checkpointer.h"

#include <pthread.h>
#include <signal.h>

namespace tally::server {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(const std::string& path,
                                                                SqliteDb& writer,
                                                                int threshold_pages) {
    auto db = SqliteDb::open(path);
    if (!db) {
        return db.error();
    }
    std::unique_ptr<WalCheckpointer> c(
        new WalCheckpointer(std::move(*db), writer, threshold_pages));
    // The thread must never take a process signal (tally-server serve waits for SIGTERM
    // with sigwait, and the store is opened before that mask is set): it starts with every
    // signal blocked.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    c->thread_ = std::thread([raw = c.get()] { raw->loop(); });
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    sqlite3_wal_hook(writer.handle(), &WalCheckpointer::on_commit, c.get());
    return c;
}

WalCheckpointer::~WalCheckpointer() {
    sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_one();
    thread_.join();
}

int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int wal_pages) {
    auto* c = static_cast<WalCheckpointer*>(self);
    if (wal_pages >= c->threshold_pages_) {
        {
            std::lock_guard lock(c->mutex_);
            c->wanted_ = true;
        }
        c->cv_.notify_one();
    }
    return SQLITE_OK;
}

void WalCheckpointer::loop() {
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [&] { return wanted_ || stopping_; });
        if (stopping_) {
            return;
        }
        wanted_ = false;
        lock.unlock();
        // PASSIVE: copies what no reader still needs; a busy moment is simply retried at the
        // next signal. The outcome is not an error of any request.
        (void)sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                        nullptr);
        lock.lock();
    }
}

}  // namespace tally::server
