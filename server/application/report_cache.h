#pragma once
// The console's per-(tenant, month) billing results: computed once by the billing engine on
// one background thread, kept compact (kept_report.h) and bounded, refreshed in the background. A
// page never runs the engine on its own thread: it reads what is kept (a result older than
// `refresh_seconds` is served while its refresh runs behind it, the page says when it was
// generated), or asks for it and waits at most `wait` (a month being computed is then shown
// as such, and the page reloads itself). Safe from several threads.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "pairing/result.h"
#include "server/application/kept_report.h"
#include "server/report/usage_report.h"
#include "server/store/console_store.h"
#include "server/store/store.h"

namespace tally::server::application {

struct ReportCacheOptions {
    //! A kept result older than this is refreshed in the background on its next read.
    std::int64_t refresh_seconds = 60;
    //! Bound of the kept reports' memory (approx_bytes), least recently used evicted first.
    //! A single report bigger than the bound is kept alone (the newest always stays).
    std::size_t max_bytes = std::size_t{512} << 20;
    //! How long a page waits for a result being computed before showing it as pending.
    std::chrono::milliseconds wait{150};
};

class ReportCache {
  public:
    using SteadyTime = std::chrono::steady_clock::time_point;
    struct Totals {
        std::int64_t billable_units = 0;
        std::vector<billing::PackageUnits> packages;
    };

    //! `store` outlives the cache. Starts the background thread; the destructor stops it
    //! (after the report it is computing, if any).
    explicit ReportCache(Store& store, ReportCacheOptions options = {});
    ~ReportCache();
    ReportCache(const ReportCache&) = delete;
    ReportCache& operator=(const ReportCache&) = delete;

    //! The kept report, at once (a stale one is refreshed behind it); else asked for and
    //! waited for until `deadline` (default: now + options.wait): nullptr when not done by
    //! then. Errors: build_usage_report's (of this request's computation).
    Result<std::shared_ptr<const KeptReport>> report(std::string_view tenant,
                                                     std::string_view month, std::int64_t now,
                                                     std::optional<SteadyTime> deadline = {});
    //! Units and packages of the month, like report(). A month without rollup rows has 0
    //! units and no report is built; a closed month's totals are kept for good (its billed
    //! numbers never change). nullopt: being computed.
    Result<std::optional<Totals>> totals(std::string_view tenant, std::string_view month,
                                         std::int64_t now, std::optional<SteadyTime> deadline = {});
    //! Asks for the month's report in the background unless it is kept fresh or queued, or
    //! the month has no rollup rows (nothing to compute ahead; a page asks for it itself).
    //! Errors: db.
    Result<void> request(std::string_view tenant, std::string_view month, std::int64_t now);
    //! ConsoleStore::console_days of the report's month, kept like the report.
    Result<std::vector<ConsoleDay>> days(const KeptReport& report, std::int64_t now);

    //! When the month was asked for, while it is being computed (the pending page says so).
    std::optional<std::int64_t> pending_since(std::string_view tenant, std::string_view month);
    std::chrono::milliseconds wait() const { return options_.wait; }
    std::size_t kept_bytes() const;
    std::size_t kept_reports() const;
    //! Blocks until nothing is queued or being computed (tests, the bench).
    void drain();

  private:
    using Key = std::pair<std::string, std::string>;
    struct Entry {
        std::shared_ptr<const KeptReport> report;
        std::int64_t made_at = 0;
        std::size_t bytes = 0;
        std::uint64_t used = 0;  //!< LRU tick
    };
    struct TotalsEntry {
        Totals totals;
        bool closed = false;
        std::int64_t made_at = 0;
    };
    struct DaysEntry {
        std::vector<ConsoleDay> days;
        std::int64_t made_at = 0;
    };
    struct Job {
        Key key;
        std::int64_t now = 0;
    };

    bool stale(std::int64_t made_at, std::int64_t now) const {
        return now - made_at >= options_.refresh_seconds;
    }
    SteadyTime deadline_or_default(std::optional<SteadyTime> deadline) const;
    //! With mutex_ held: queues the key unless queued or being computed; `urgent` (a page
    //! waits for it) at the front.
    void enqueue_locked(const Key& key, std::int64_t now, bool urgent);
    //! With mutex_ held: keeps a built report and evicts down to the bound.
    void keep_locked(const Key& key, std::shared_ptr<const KeptReport> report, std::int64_t now);
    //! With `lock` held: waits until the key is kept or failed, or the deadline. The error of
    //! a failed computation is taken (the next request asks again).
    Result<bool> wait_locked(std::unique_lock<std::mutex>& lock, const Key& key,
                             SteadyTime deadline);
    void run();

    Store& store_;
    ReportCacheOptions options_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::map<Key, Entry> reports_;
    std::map<Key, TotalsEntry> totals_;
    std::map<Key, DaysEntry> days_;
    std::map<Key, Error> failed_;
    std::map<Key, std::int64_t> asked_at_;  //!< queued or being computed
    std::deque<Job> queue_;
    std::size_t bytes_ = 0;
    std::uint64_t tick_ = 0;
    bool busy_ = false;
    bool stopping_ = false;
    std::thread worker_;  //!< last: started after every member above exists
};

}  // namespace tally::server::application
