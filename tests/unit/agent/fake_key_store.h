#pragma once
// A KeyStore held in memory, for unit tests of the portable core: a real P-256 key
// (pairing::SoftwareKey), so signatures verify exactly as the server checks them.

#include <optional>

#include "agent/interfaces/key_store.h"
#include "pairing/crypto.h"

namespace tally::agent::test {

class MemoryKeyStore : public KeyStore {
  public:
    enum class Start { empty, with_key };
    explicit MemoryKeyStore(Start start = Start::empty) {
        if (start == Start::with_key)
            key_.emplace(pairing::SoftwareKey::generate().value());
    }
    bool has_key() const override { return key_.has_value(); }
    Result<void> create() override {
        key_.emplace(pairing::SoftwareKey::generate().value());
        ++created;
        return {};
    }
    Result<pairing::Bytes> public_key() const override {
        if (!key_)
            return make_error("no_key", "no key");
        return key_->public_key();
    }
    Result<pairing::Bytes> sign(std::span<const std::uint8_t> m) const override {
        if (!key_)
            return make_error("no_key", "no key");
        return key_->sign(m);
    }
    Result<void> destroy() override {
        key_.reset();
        return {};
    }
    std::string describe() const override { return "memory"; }
    //! How many times create() ran.
    int created = 0;

  private:
    std::optional<pairing::SoftwareKey> key_;
};

}  // namespace tally::agent::test
