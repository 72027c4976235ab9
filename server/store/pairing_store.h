#pragma once
// Pairing codes and pairing (PROTOCOL.md §4).
// One of the narrow store interfaces (store.h lists them); SqliteStore implements them all
// and callers take only the one they need. Implementations are safe to call from several
// threads.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/records.h"

namespace tally::server {

class PairingStore {
  public:
    virtual ~PairingStore() = default;

    virtual Result<void> add_pairing_code(const NewPairingCode& code, std::int64_t now) = 0;
    //! In one transaction: check the code (errors invalid_code, code_expired, code_exhausted,
    //! tenant_inactive), return the existing device for a known key (no use consumed), else
    //! consume one use and create the device.
    virtual Result<Device> pair_device(const PairAttempt& attempt) = 0;
};

}  // namespace tally::server
