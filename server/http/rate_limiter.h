#pragma once
// Token buckets keyed by a string (a source address, a device id): `burst` requests at once,
// then `per_second`. Used to answer 429 + Retry-After before any expensive work (signature
// checks, SQLite). Memory is bounded: past `max_keys`, idle (full) buckets are dropped and,
// if none is idle, the newcomer is refused — a flood of fresh keys cannot grow the map.
// Thread-safe.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tally::server {

struct RateLimit {
    double burst = 0;       //!< 0: unlimited
    double per_second = 0;  //!< refill rate
};

class RateLimiter {
  public:
    explicit RateLimiter(RateLimit limit, std::size_t max_keys = 100000);

    //! Takes one token for `key` at `now_s` (monotonic seconds). nullopt: allowed; else the
    //! whole seconds to wait (≥ 1), for Retry-After.
    std::optional<std::int64_t> take(const std::string& key, double now_s);
    //! Like take() but takes nothing: whether `key` has a token now (nullopt), else the wait.
    std::optional<std::int64_t> peek(const std::string& key, double now_s);

  private:
    struct Bucket {
        double tokens = 0;
        double updated = 0;
    };
    void refill(Bucket& b, double now_s) const;
    std::optional<std::int64_t> wait_of(const Bucket& b) const;
    //! Whether a new key fits (idle buckets are dropped when the map is full). Lock held.
    bool room_locked(double now_s);

    RateLimit limit_;
    std::size_t max_keys_;
    std::mutex mutex_;
    std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace tally::server
