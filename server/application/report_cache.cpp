// The console's kept billing results (see report_cache.h).

#include "server/application/report_cache.h"

#include <algorithm>
#include <exception>

#include "server/application/console_month.h"

namespace tally::server::application {
namespace {

constexpr std::size_t kMaxTotals = 100000;  //!< small entries: a bound, not a policy
constexpr std::size_t kMaxDays = 256;

}  // namespace

ReportCache::ReportCache(Store& store, ReportCacheOptions options)
    : store_(store), options_(options), worker_([this] { run(); }) {}

ReportCache::~ReportCache() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    changed_.notify_all();
    worker_.join();
}

ReportCache::SteadyTime ReportCache::deadline_or_default(std::optional<SteadyTime> deadline) const {
    return deadline ? *deadline : std::chrono::steady_clock::now() + options_.wait;
}

void ReportCache::enqueue_locked(const Key& key, std::int64_t now, bool urgent) {
    if (asked_at_.contains(key)) {
        // Debounced: queued or being computed already. A page waiting for it moves it to the
        // front (ahead of warm-up and of the 12-month chart's months).
        const auto it =
            std::find_if(queue_.begin(), queue_.end(), [&](const Job& j) { return j.key == key; });
        if (urgent && it != queue_.end() && it != queue_.begin()) {
            const auto job = *it;
            queue_.erase(it);
            queue_.push_front(job);
        }
        return;
    }
    failed_.erase(key);
    asked_at_[key] = now;
    if (urgent) {
        queue_.push_front({key, now});
    } else {
        queue_.push_back({key, now});
    }
    changed_.notify_all();
}

void ReportCache::keep_locked(const Key& key, std::shared_ptr<const KeptReport> report,
                              std::int64_t now) {
    if (totals_.size() >= kMaxTotals) {
        totals_.clear();
    }
    totals_[key] = {
        {report->summary.billable_units, report->summary.packages}, report->summary.closed, now};
    const auto bytes = approx_bytes(*report);
    if (const auto it = reports_.find(key); it != reports_.end()) {
        bytes_ -= it->second.bytes;
    }
    reports_[key] = {std::move(report), now, bytes, ++tick_};
    bytes_ += bytes;
    while (bytes_ > options_.max_bytes && reports_.size() > 1) {
        auto lru = reports_.end();
        for (auto it = reports_.begin(); it != reports_.end(); ++it) {
            if (it->first != key && (lru == reports_.end() || it->second.used < lru->second.used)) {
                lru = it;
            }
        }
        bytes_ -= lru->second.bytes;
        days_.erase(lru->first);
        reports_.erase(lru);
    }
}

Result<bool> ReportCache::wait_locked(std::unique_lock<std::mutex>& lock, const Key& key,
                                      SteadyTime deadline) {
    changed_.wait_until(lock, deadline,
                        [&] { return reports_.contains(key) || failed_.contains(key); });
    if (const auto it = failed_.find(key); it != failed_.end()) {
        auto error = it->second;
        failed_.erase(it);
        return error;
    }
    return reports_.contains(key);
}

Result<std::shared_ptr<const KeptReport>> ReportCache::report(std::string_view tenant,
                                                              std::string_view month,
                                                              std::int64_t now,
                                                              std::optional<SteadyTime> deadline) {
    const Key key{std::string(tenant), std::string(month)};
    std::unique_lock lock(mutex_);
    if (const auto it = reports_.find(key); it != reports_.end()) {
        it->second.used = ++tick_;
        if (stale(it->second.made_at, now)) {
            enqueue_locked(key, now, false);
        }
        return it->second.report;
    }
    enqueue_locked(key, now, true);
    auto done = wait_locked(lock, key, deadline_or_default(deadline));
    if (!done) {
        return done.error();
    }
    if (!*done) {
        return std::shared_ptr<const KeptReport>();
    }
    auto& kept = reports_.at(key);
    kept.used = ++tick_;
    return kept.report;
}

Result<std::optional<ReportCache::Totals>> ReportCache::totals(std::string_view tenant,
                                                               std::string_view month,
                                                               std::int64_t now,
                                                               std::optional<SteadyTime> deadline) {
    const Key key{std::string(tenant), std::string(month)};
    {
        std::lock_guard lock(mutex_);
        if (const auto it = totals_.find(key); it != totals_.end()) {
            if (!it->second.closed && stale(it->second.made_at, now)) {
                enqueue_locked(key, now, false);
            }
            return std::optional(it->second.totals);
        }
    }
    if (const auto ym = parse_month(month)) {
        auto active = store_.console_month_active(tenant, ym->first * 100 + ym->second);
        if (!active) {
            return active.error();
        }
        if (!*active) {
            return std::optional(Totals{});  // not kept: a heartbeat may arrive any time
        }
    }
    std::unique_lock lock(mutex_);
    enqueue_locked(key, now, false);
    auto done = wait_locked(lock, key, deadline_or_default(deadline));
    if (!done) {
        return done.error();
    }
    if (!*done) {
        return std::optional<Totals>();
    }
    return std::optional(totals_.at(key).totals);
}

Result<void> ReportCache::request(std::string_view tenant, std::string_view month,
                                  std::int64_t now) {
    const Key key{std::string(tenant), std::string(month)};
    {
        std::lock_guard lock(mutex_);
        const auto it = reports_.find(key);
        if (it != reports_.end() && !stale(it->second.made_at, now)) {
            return {};
        }
    }
    if (const auto ym = parse_month(month)) {
        auto active = store_.console_month_active(tenant, ym->first * 100 + ym->second);
        if (!active) {
            return active.error();
        }
        if (!*active) {
            return {};  // nothing counted: no engine run (a page asks for it itself)
        }
    }
    std::lock_guard lock(mutex_);
    enqueue_locked(key, now, false);
    return {};
}

Result<std::vector<ConsoleDay>> ReportCache::days(const KeptReport& report, std::int64_t now) {
    const Key key{report.tenant, report.month};
    {
        std::lock_guard lock(mutex_);
        const auto it = days_.find(key);
        if (it != days_.end() && !stale(it->second.made_at, now)) {
            return it->second.days;
        }
    }
    const auto ym = parse_month(report.month);
    if (!ym) {
        return make_error("internal", "report month '" + report.month + "' is not YYYY-MM");
    }
    auto days = store_.console_days(report.tenant, ym->first * 100 + ym->second,
                                    days_in_month(ym->first, ym->second));
    if (!days) {
        return days.error();
    }
    std::lock_guard lock(mutex_);
    if (days_.size() >= kMaxDays) {
        days_.clear();
    }
    days_[key] = {*days, now};
    return days;
}

std::optional<std::int64_t> ReportCache::pending_since(std::string_view tenant,
                                                       std::string_view month) {
    std::lock_guard lock(mutex_);
    const auto it = asked_at_.find(Key{std::string(tenant), std::string(month)});
    if (it == asked_at_.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::size_t ReportCache::kept_bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t ReportCache::kept_reports() const {
    std::lock_guard lock(mutex_);
    return reports_.size();
}

void ReportCache::drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return stopping_ || (queue_.empty() && !busy_); });
}

void ReportCache::run() {
    std::unique_lock lock(mutex_);
    while (true) {
        changed_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (stopping_) {
            return;
        }
        const auto job = queue_.front();
        queue_.pop_front();
        busy_ = true;
        lock.unlock();
        // The engine and the daily chart's rollup scan run here, never on a page's thread.
        Result<UsageReport> built = make_error("internal", "not built");
        std::optional<Result<std::vector<ConsoleDay>>> days;
        try {
            built = build_usage_report(store_, job.key.first, job.key.second, job.now);
            if (const auto ym = built ? parse_month(built->month) : std::nullopt) {
                days = store_.console_days(job.key.first, ym->first * 100 + ym->second,
                                           days_in_month(ym->first, ym->second));
            }
        } catch (const std::exception& e) {
            built = make_error("internal", std::string("billing the month failed: ") + e.what());
        }
        std::shared_ptr<const KeptReport> shared;
        if (built) {
            shared = std::make_shared<const KeptReport>(keep_report(std::move(*built)));
        }
        lock.lock();
        asked_at_.erase(job.key);
        busy_ = false;
        if (shared) {
            keep_locked(job.key, std::move(shared), job.now);
            if (days && *days) {
                days_[job.key] = {std::move(**days), job.now};
            }
        } else {
            if (failed_.size() >= kMaxDays) {
                failed_.clear();  // errors nobody asked for again (the next ask recomputes)
            }
            failed_[job.key] = built.error();
        }
        changed_.notify_all();
    }
}

}  // namespace tally::server::application
