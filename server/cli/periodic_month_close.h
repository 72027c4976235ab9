#pragma once
// Runs close_due_months (server/report/month_close.h) at start and then every `interval` on
// its own thread until destroyed (used by `serve`): each tenant's month is frozen within one
// interval of its close, before anyone asks for its report. Failures are logged and retried
// at the next interval.

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "server/http/routes.h"
#include "server/store/store.h"

namespace tally::server::cli {

class PeriodicMonthClose {
  public:
    PeriodicMonthClose(Store& store, Clock clock, std::chrono::seconds interval);
    ~PeriodicMonthClose();
    PeriodicMonthClose(const PeriodicMonthClose&) = delete;
    PeriodicMonthClose& operator=(const PeriodicMonthClose&) = delete;

  private:
    void loop();

    Store& store_;
    Clock clock_;
    std::chrono::seconds interval_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false;
    std::thread thread_;
};

}  // namespace tally::server::cli
