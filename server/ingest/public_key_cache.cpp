// Bounded LRU memo of parsed public keys (see public_key_cache.h).

#include "server/ingest/public_key_cache.h"

#include "pairing/bytes.h"

namespace tally::server {

PublicKeyCache::PublicKeyCache(std::size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

std::shared_ptr<const pairing::PublicKey> PublicKeyCache::get(std::string_view point) {
    {
        const std::lock_guard lock(mutex_);
        if (const auto it = index_.find(point); it != index_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second);
            return it->second->second;
        }
    }
    // Parse outside the lock; two threads missing at once both parse, one entry is kept.
    auto parsed = pairing::PublicKey::parse(pairing::as_bytes(point));
    if (!parsed)
        return nullptr;
    auto key = std::make_shared<const pairing::PublicKey>(std::move(*parsed));
    const std::lock_guard lock(mutex_);
    if (const auto it = index_.find(point); it != index_.end())
        return it->second->second;
    lru_.emplace_front(std::string(point), key);
    index_.emplace(lru_.front().first, lru_.begin());
    if (lru_.size() > capacity_) {
        index_.erase(lru_.back().first);
        lru_.pop_back();
    }
    return key;
}

std::size_t PublicKeyCache::size() const {
    const std::lock_guard lock(mutex_);
    return lru_.size();
}

PublicKeyCache& PublicKeyCache::shared() {
    // 20,000 keys ≈ 20-40 MB of OpenSSL key objects at most; beyond that, older keys re-parse.
    static PublicKeyCache cache(20000);
    return cache;
}

}  // namespace tally::server
