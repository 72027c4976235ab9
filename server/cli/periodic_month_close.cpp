// Periodic month close (see periodic_month_close.h).

#include "server/cli/periodic_month_close.h"

#include "server/http/event_log.h"
#include "server/report/month_close.h"

namespace tally::server::cli {

PeriodicMonthClose::PeriodicMonthClose(Store& store, Clock clock, std::chrono::seconds interval)
    : store_(store), clock_(std::move(clock)), interval_(interval), thread_([this] { loop(); }) {}

PeriodicMonthClose::~PeriodicMonthClose() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void PeriodicMonthClose::loop() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        lock.unlock();
        auto r = close_due_months(store_, clock_());
        if (!r) {
            log_event("month close failed: " + r.error().message);
        } else if (*r > 0) {
            log_event("closed " + std::to_string(*r) + " tenant month(s): bills frozen");
        }
        lock.lock();
        cv_.wait_for(lock, interval_, [this] { return stop_; });
    }
}

}  // namespace tally::server::cli
