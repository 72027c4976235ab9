// Token-bucket rate limiting (see rate_limiter.h).

#include "server/http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace tally::server {

RateLimiter::RateLimiter(RateLimit limit, std::size_t max_keys)
    : limit_(limit), max_keys_(std::max<std::size_t>(1, max_keys)) {}

void RateLimiter::refill(Bucket& b, double now_s) const {
    const double elapsed = std::max(0.0, now_s - b.updated);
    b.tokens = std::min(limit_.burst, b.tokens + elapsed * limit_.per_second);
    b.updated = now_s;
}

bool RateLimiter::room_locked(double now_s) {
    if (buckets_.size() < max_keys_) {
        return true;
    }
    for (auto b = buckets_.begin(); b != buckets_.end();) {
        refill(b->second, now_s);
        b = b->second.tokens >= limit_.burst ? buckets_.erase(b) : std::next(b);
    }
    return buckets_.size() < max_keys_;
}

std::optional<std::int64_t> RateLimiter::take(const std::string& key, double now_s) {
    if (limit_.burst <= 0) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (!room_locked(now_s)) {
            return 1;
        }
        it = buckets_.emplace(key, Bucket{limit_.burst, now_s}).first;
    }
    Bucket& b = it->second;
    refill(b, now_s);
    if (b.tokens >= 1.0) {
        b.tokens -= 1.0;
        return std::nullopt;
    }
    return wait_of(b);
}

std::optional<std::int64_t> RateLimiter::peek(const std::string& key, double now_s) {
    if (limit_.burst <= 0) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    const auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        // A new key starts full, unless the map has no room for it (as take() would refuse).
        return room_locked(now_s) ? std::nullopt : std::optional<std::int64_t>(1);
    }
    Bucket b = it->second;
    refill(b, now_s);
    return b.tokens >= 1.0 ? std::nullopt : wait_of(b);
}

std::optional<std::int64_t> RateLimiter::wait_of(const Bucket& b) const {
    if (limit_.per_second <= 0) {
        return 3600;
    }
    const double wait = (1.0 - b.tokens) / limit_.per_second;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait)));
}

}  // namespace tally::server
