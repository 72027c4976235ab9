// Group commit (see group_commit.h).

#include "server/store/group_commit.h"

#include <algorithm>
#include <iterator>

namespace tally::server {

Result<void> GroupCommit::run(const std::function<Result<void>()>& unit) {
    auto mine = std::make_shared<Pending>(&unit);
    std::unique_lock lock(queue_mutex_);
    queue_.push_back(mine);
    if (!writing_) {
        writing_ = true;
        mine->lead = true;
    }
    // Each caller sleeps on its own condition variable: it is woken once, when its unit's
    // transaction ended or when it is handed the writer's role.
    mine->cv.wait(lock, [&] { return mine->done || mine->lead; });
    while (!mine->done) {
        // The writer takes everything queued so far (oldest first, its own unit among them
        // unless the queue is longer than one group).
        const auto take = static_cast<long>(std::min(queue_.size(), max_group_));
        Group group(queue_.begin(), queue_.begin() + take);
        queue_.erase(queue_.begin(), queue_.begin() + take);
        ++stats_.transactions;
        stats_.units += group.size();
        stats_.largest_group = std::max(stats_.largest_group, group.size());
        lock.unlock();
        commit_group(group);
        lock.lock();
        for (const auto& p : group) {
            p->done = true;
        }
        std::shared_ptr<Pending> next;
        if (mine->done) {
            // Hand the writer's role to the oldest waiting caller (it queued meanwhile).
            if (queue_.empty()) {
                writing_ = false;
            } else {
                next = queue_.front();
                next->lead = true;
            }
        }
        lock.unlock();
        for (const auto& p : group) {
            if (p != mine) {
                p->cv.notify_one();
            }
        }
        if (next) {
            next->cv.notify_one();
        }
        lock.lock();
    }
    return std::move(mine->result);
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
                r = (*p->unit)();
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
