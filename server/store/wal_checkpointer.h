#pragma once
// Moves SQLite's WAL checkpoints off the commit path. By default the connection whose commit
// pushes the WAL past 1000 pages copies the WAL back into the database file and fsyncs it
// inside that COMMIT, so every ~1000 pages one group of uploads waited for a checkpoint. Here
// the writer's commit only signals (sqlite3_wal_hook, which replaces the automatic
// checkpoint) and a thread with its own connection runs PASSIVE checkpoints, which never
// block the writer or readers.

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "pairing/result.h"
#include "server/store/sqlite_db.h"

namespace tally::server {

class WalCheckpointer {
  public:
    //! Hooks `writer` (the connection all commits go through) for the database at `path`.
    static Result<std::unique_ptr<WalCheckpointer>> start(const std::string& path, SqliteDb& writer,
                                                          int threshold_pages = 1000);
    //! Unhooks the writer and joins the thread (closing connections checkpoint anyway).
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  private:
    WalCheckpointer(std::unique_ptr<SqliteDb> db, SqliteDb& writer, int threshold_pages)
        : db_(std::move(db)), writer_(writer), threshold_pages_(threshold_pages) {}
    static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
    void loop();

    std::unique_ptr<SqliteDb> db_;  //!< used by the thread only
    SqliteDb& writer_;
    const int threshold_pages_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool wanted_ = false;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace tally::server
