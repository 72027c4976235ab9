// Periodic purge (see periodic_purge.h).

#include "server/cli/periodic_purge.h"

#include "server/application/purge_run.h"
#include "server/http/event_log.h"

namespace tally::server::cli {

PeriodicPurge::PeriodicPurge(Store& store, Clock clock, std::chrono::seconds interval,
                             EvidencePolicy evidence)
    : store_(store),
      clock_(std::move(clock)),
      interval_(interval),
      evidence_(evidence),
      thread_([this] { loop(); }) {}

PeriodicPurge::~PeriodicPurge() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void PeriodicPurge::loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        lock.unlock();
        auto r = application::PurgeRun(store_).run(application::Caller::global(), clock_());
        if (!r) {
            log_event("purge failed: " + r.error().message);
        } else if (r->users_purged > 0) {
            log_event("purged " + std::to_string(r->users_purged) + " released user(s)");
        }
        auto e = store_.purge_evidence(clock_(), evidence_);
        if (!e) {
            log_event("evidence purge failed: " + e.error().message);
        } else if (e->batches_deleted > 0) {
            log_event("deleted " + std::to_string(e->batches_deleted) +
                      " evidence batch(es) past evidence_retention_days");
        }
        lock.lock();
        cv_.wait_for(lock, interval_, [this] { return stop_; });
    }
}

}  // namespace tally::server::cli
