#pragma once
// Storing a verified batch (PROTOCOL.md §5).
// One of the narrow store interfaces (store.h lists them); SqliteStore implements them all
// and callers take only the one they need. Implementations are safe to call from several
// threads.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pairing/result.h"
#include "server/store/records.h"

namespace tally::server {

//! A verified batch handed to store_signed_batch_async, owned by the call.
struct BatchToStore {
    std::string device_id;
    SignedUpload signed_body;  //!< its body's bytes stay valid until the call's `done` ran
    std::vector<AcceptedHeartbeat> hbs;
    std::vector<pairing::Gap> gaps;
    std::int64_t now = 0;
};

//! Gets store_signed_batch's outcome, once the batch's transaction ended.
using StoredBatchDone = std::function<void(Result<StoreBatchResult>)>;

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

    //! store_signed_batch that does not block its caller: `done` gets the outcome once the
    //! batch is durable (or refused), possibly on another thread (the SQLite store's group
    //! commit calls it from its commit thread under load). By default: synchronous.
    virtual void store_signed_batch_async(BatchToStore batch, StoredBatchDone done) {
        done(store_signed_batch(batch.device_id, batch.signed_body, batch.hbs, batch.gaps,
                                batch.now));
    }
};

}  // namespace tally::server
