#pragma once
// Group commit: many threads hand in units of database work; one writer applies every queued
// unit in ONE transaction, each inside its own SAVEPOINT (a failing unit is rolled back
// alone), commits once (one fsync for the whole group), then gives each unit its own
// outcome. An outcome is never given before the commit that holds its unit: an ack never
// precedes the commit.
//
// Two ways in. run() blocks the caller until its unit's transaction ended; an idle server
// commits a lone unit on the caller's own thread (no hand-off). run_async() returns at once
// (or after the commit, when the server is idle: the caller then commits its own unit) and
// calls `done` with the outcome on the thread that committed — under load the group
// commit's own thread (started on the first run_async), so no thread sleeps waiting for a
// commit. The queue is bounded: a run_async() caller that finds `max_queue` units queued
// waits for room (back-pressure on the front's workers).

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "pairing/result.h"
#include "server/store/sqlite_db.h"

namespace tally::server {

class GroupCommit {
  public:
    using Unit = std::function<Result<void>()>;
    using Done = std::function<void(Result<void>)>;

    //! `db_mutex` guards `db` (also for the owner's other statements); units run with it held.
    GroupCommit(SqliteDb& db, std::mutex& db_mutex, std::size_t max_group = 256,
                std::size_t max_queue = 1024)
        : db_(db), db_mutex_(db_mutex), max_group_(max_group), max_queue_(max_queue) {}
    //! Commits what is queued, then stops the commit thread.
    ~GroupCommit();
    GroupCommit(const GroupCommit&) = delete;
    GroupCommit& operator=(const GroupCommit&) = delete;

    //! Runs `unit` in the next group transaction. Returns the unit's own error (its writes
    //! undone, the group unaffected), or the transaction's error (nothing of the group was
    //! stored), or success once the group committed.
    Result<void> run(const Unit& unit);
    //! Runs `unit` in the next group transaction and calls `done` with what run() would
    //! return, once that transaction ended. `done` must not call run() or run_async().
    void run_async(Unit unit, Done done);

    struct Stats {
        std::size_t transactions = 0;  //!< groups committed (or failed) so far
        std::size_t units = 0;         //!< units in them
        std::size_t largest_group = 0;
    };
    Stats stats();
    //! Units queued and not yet taken by a writer.
    std::size_t waiting();

  private:
    //! One unit; fields guarded by queue_mutex_. Shared, so the writer can wake a caller
    //! after releasing the queue lock without the caller's return freeing it first.
    struct Pending {
        Unit unit;
        Done done;  //!< run_async: called with the result; run(): empty, the caller waits
        Result<void> result;
        bool finished = false;  //!< its transaction ended (result is final)
        bool lead = false;      //!< a run() caller handed the writer's role
        std::condition_variable cv;
    };
    using Group = std::vector<std::shared_ptr<Pending>>;
    //! Takes the next group off the queue and commits it; `lock` held on entry and exit.
    void write_group(std::unique_lock<std::mutex>& lock);
    void commit_group(const Group& group);
    //! After a writer's group: the role goes to a waiting run() caller, else to the commit
    //! thread when units are queued, else nobody. `lock` held.
    void pass_role(std::unique_lock<std::mutex>& lock);
    void commit_thread();

    SqliteDb& db_;
    std::mutex& db_mutex_;
    const std::size_t max_group_;
    const std::size_t max_queue_;
    std::mutex queue_mutex_;
    Group queue_;               //!< waiting units, oldest first
    bool writing_ = false;      //!< a thread holds the writer's role
    bool thread_turn_ = false;  //!< the role is the commit thread's
    bool stopping_ = false;
    std::condition_variable thread_cv_;  //!< the commit thread waits for its turn
    std::condition_variable room_cv_;    //!< run_async callers wait for room in the queue
    std::thread thread_;                 //!< started by the first run_async
    Stats stats_;                        //!< guarded by queue_mutex_
};

}  // namespace tally::server
