#pragma once
// Group commit: many threads hand in units of database work; one of them (the first to find
// no commit in progress) becomes the writer, applies every queued unit in ONE transaction,
// each inside its own SAVEPOINT (a failing unit is rolled back alone), commits once (one
// fsync for the whole group), then wakes each caller with its own outcome. A caller's run()
// returns only after the transaction holding its unit committed: an ack never precedes the
// commit. No extra thread: an idle server commits a lone unit on the caller's thread.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "pairing/result.h"
#include "server/store/sqlite_db.h"

namespace tally::server {

class GroupCommit {
  public:
    //! `db_mutex` guards `db` (also for the owner's other statements); units run with it held.
    GroupCommit(SqliteDb& db, std::mutex& db_mutex, std::size_t max_group = 256)
        : db_(db), db_mutex_(db_mutex), max_group_(max_group) {}

    //! Runs `unit` in the next group transaction. Returns the unit's own error (its writes
    //! undone, the group unaffected), or the transaction's error (nothing of the group was
    //! stored), or success once the group committed.
    Result<void> run(const std::function<Result<void>()>& unit);

    struct Stats {
        std::size_t transactions = 0;  //!< groups committed (or failed) so far
        std::size_t units = 0;         //!< units in them
        std::size_t largest_group = 0;
    };
    Stats stats();
    //! Units queued and not yet taken by a writer.
    std::size_t waiting();

  private:
    //! One caller's unit; fields guarded by queue_mutex_. Shared, so the writer can wake a
    //! caller after releasing the queue lock (a caller woken under that lock would only block
    //! on it again) without the caller's return freeing it first.
    struct Pending {
        explicit Pending(const std::function<Result<void>()>* u) : unit(u) {}
        const std::function<Result<void>()>* unit;
        Result<void> result;
        bool done = false;  //!< its transaction ended (result is final)
        bool lead = false;  //!< it is the writer
        std::condition_variable cv;
    };
    using Group = std::vector<std::shared_ptr<Pending>>;
    void commit_group(const Group& group);

    SqliteDb& db_;
    std::mutex& db_mutex_;
    const std::size_t max_group_;
    std::mutex queue_mutex_;
    Group queue_;           //!< waiting units, oldest first
    bool writing_ = false;  //!< a caller holds the writer's role
    Stats stats_;           //!< guarded by queue_mutex_
};

}  // namespace tally::server
