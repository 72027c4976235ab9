#pragma once
// A bounded LRU memo of parsed device public keys, keyed by the key's own 65 bytes, so that
// a signature check does not decode the point for every request. Keyed by the bytes (not
// the device id) it never needs invalidating: a re-paired device has new bytes (a miss),
// and revoke/retire are decided from the device row read on every request, not from here.

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "pairing/crypto.h"

namespace tally::server {

class PublicKeyCache {
  public:
    explicit PublicKeyCache(std::size_t capacity);

    //! The parsed key for `point`, or nullptr when it is not a valid P-256 point.
    std::shared_ptr<const pairing::PublicKey> get(std::string_view point);

    std::size_t size() const;

    //! The process-wide cache used by authenticate_device (a memo of a pure function).
    static PublicKeyCache& shared();

  private:
    using Entry = std::pair<std::string, std::shared_ptr<const pairing::PublicKey>>;

    const std::size_t capacity_;
    mutable std::mutex mutex_;
    std::list<Entry> lru_;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> index_;
};

}  // namespace tally::server
