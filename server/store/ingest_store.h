#pragma once
// Storing a verified batch (PROTOCOL.md §5).
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

class IngestStore {
  public:
    virtual ~IngestStore() = default;

    //! One transaction: store each (device, seq) once, keep forks, store gaps, advance ack.
    virtual Result<StoreBatchResult> store_batch(std::string_view device_id,
                                                 const std::vector<AcceptedHeartbeat>& hbs,
                                                 const std::vector<pairing::Gap>& gaps,
                                                 std::int64_t now) = 0;

    //! store_batch that also keeps the signed request body as the batch's evidence (schema
    //! 10, evidence_batch.h). A store that keeps no batch evidence stores the batch alone.
    virtual Result<StoreBatchResult> store_signed_batch(std::string_view device_id,
                                                        const SignedUpload& signed_body,
                                                        const std::vector<AcceptedHeartbeat>& hbs,
                                                        const std::vector<pairing::Gap>& gaps,
                                                        std::int64_t now) {
        static_cast<void>(signed_body);
        return store_batch(device_id, hbs, gaps, now);
    }
};

}  // namespace tally::server
