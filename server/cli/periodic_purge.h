#pragma once
// Runs the purge (application::PurgeRun) and Store::purge_evidence (evidence past
// evidence_retention_days, dedupe hashes past the acceptance window) at start and then every
// `interval` on its own thread until destroyed (used by `serve`). Failures are logged and retried
// at the next interval.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/http/routes.h"
#include "server/store/store.h"

namespace tally::server::cli {

class PeriodicPurge {
  public:
    PeriodicPurge(Store& store, Clock clock, std::chrono::seconds interval,
                  EvidencePolicy evidence = {});
    ~PeriodicPurge();
    PeriodicPurge(const PeriodicPurge&) = delete;
    PeriodicPurge& operator=(const PeriodicPurge&) = delete;

  private:
    void loop();

    Store& store_;
    Clock clock_;
    std::chrono::seconds interval_;
    EvidencePolicy evidence_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace tally::server::cli
