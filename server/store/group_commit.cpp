// Group commit (see group_commit.h).

#include "server/store/group_commit.h"

#include <algorithm>
#include <iterator>

namespace tally::server {

GroupCommit::~GroupCommit() {
    {
        std::lock_guard lock(queue_mutex_);
        stopping_ = true;
    }
    thread_cv_.notify_one();
    room_cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

Result<void> GroupCommit::run(const Unit& unit) {
    auto mine = std::make_shared<Pending>();
    mine->unit = unit;
    std::unique_lock lock(queue_mutex_);
    queue_.push_back(mine);
    if (!writing_) {
        writing_ = true;
        mine->lead = true;
    }
    // Each caller sleeps on its own condition variable: it is woken once, when its unit's
    // transaction ended or when it is handed the writer's role.
    mine->cv.wait(lock, [&] { return mine->finished || mine->lead; });
    while (!mine->finished) {
        write_group(lock);
    }
    if (mine->lead) {
        pass_role(lock);
    }
    return std::move(mine->result);
}

void GroupCommit::run_async(Unit unit, Done done) {
    auto mine = std::make_shared<Pending>();
    mine->unit = std::move(unit);
    mine->done = std::move(done);
    std::unique_lock lock(queue_mutex_);
    room_cv_.wait(lock, [&] { return queue_.size() < max_queue_ || stopping_; });
    queue_.push_back(mine);
    if (writing_) {
        return;  // the writer takes it; its `done` runs on the writer's thread
    }
    // Nobody writing (an idle server): commit it here, no hand-off.
    writing_ = true;
    while (!mine->finished) {
        write_group(lock);
    }
    pass_role(lock);
}

void GroupCommit::write_group(std::unique_lock<std::mutex>& lock) {
    // The writer takes everything queued so far (oldest first), at most one group.
    const auto take = static_cast<long>(std::min(queue_.size(), max_group_));
    Group group(queue_.begin(), queue_.begin() + take);
    queue_.erase(queue_.begin(), queue_.begin() + take);
    ++stats_.transactions;
    stats_.units += group.size();
    stats_.largest_group = std::max(stats_.largest_group, group.size());
    lock.unlock();
    room_cv_.notify_all();
    commit_group(group);
    lock.lock();
    for (const auto& p : group) {
        p->finished = true;
    }
    lock.unlock();
    for (const auto& p : group) {
        if (p->done) {
            p->done(std::move(p->result));
        } else {
            p->cv.notify_one();
        }
    }
    lock.lock();
}

void GroupCommit::pass_role(std::unique_lock<std::mutex>& lock) {
    static_cast<void>(lock);
    // A run() caller still waiting takes it (it would wait for a writer anyway).
    for (const auto& p : queue_) {
        if (!p->done) {
            p->lead = true;
            p->cv.notify_one();
            return;
        }
    }
    if (queue_.empty()) {
        writing_ = false;
        return;
    }
    // Only run_async units wait: their callers are gone, the commit thread writes them.
    thread_turn_ = true;
    if (!thread_.joinable()) {
        thread_ = std::thread([this] { commit_thread(); });
    }
    thread_cv_.notify_one();
}

void GroupCommit::commit_thread() {
    std::unique_lock lock(queue_mutex_);
    for (;;) {
        thread_cv_.wait(lock, [&] { return thread_turn_ || stopping_; });
        if (thread_turn_) {
            while (!queue_.empty()) {
                write_group(lock);
            }
            thread_turn_ = false;
            writing_ = false;
        }
        if (stopping_) {
            return;
        }
    }
}

GroupCommit::Stats GroupCommit::stats() {
    std::lock_guard lock(queue_mutex_);
    return stats_;
}

std::size_t GroupCommit::waiting() {
    std::lock_guard lock(queue_mutex_);
    return queue_.size();
}

void GroupCommit::commit_group(const Group& group) {
    std::lock_guard db_lock(db_mutex_);
    auto fail_all = [](auto first, auto last, const Error& error) {
        for (auto it = first; it != last; ++it) {
            (*it)->result = error;
        }
    };
    auto txn = SqliteTransaction::begin(db_);
    if (!txn) {
        fail_all(group.begin(), group.end(), txn.error());
        return;
    }
    std::vector<Pending*> applied;
    applied.reserve(group.size());
    for (auto it = group.begin(); it != group.end(); ++it) {
        Pending* p = it->get();
        Result<void> r;
        {
            auto savepoint = SqliteSavepoint::begin(db_);
            if (!savepoint) {
                r = savepoint.error();
            } else {
                r = p->unit();
                if (r) {
                    r = savepoint->release();
                }
            }
        }  // a failed unit's savepoint is rolled back here
        if (r) {
            applied.push_back(p);
            continue;
        }
        p->result = r;
        if (db_.autocommit()) {
            // SQLite ended the whole transaction (I/O error, full disk): nothing is stored.
            const Error lost =
                make_error("db", "the group transaction was rolled back: " + r.error().message);
            fail_all(applied.begin(), applied.end(), lost);
            fail_all(std::next(it), group.end(), lost);
            return;
        }
    }
    if (auto c = txn->commit(); !c) {
        fail_all(applied.begin(), applied.end(), c.error());
    }
}

}  // namespace tally::server
