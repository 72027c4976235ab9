#pragma once
// POST /v1/heartbeats logic, independent of HTTP (PROTOCOL.md §4): authenticate, verify the
// signature over the raw gzip bytes BEFORE inflating, inflate with a cap, decode, apply the
// time window (outside it: held, not counted), then store everything in one transaction.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "pairing/messages.h"
#include "pairing/result.h"
#include "server/ingest/options.h"
#include "server/store/store.h"

namespace tally::server {

struct UploadRequest {
    std::string_view device_id;         //!< Tally-Device
    std::string_view signature;         //!< Tally-Signature
    std::string_view content_encoding;  //!< empty or "gzip"
    std::string_view body;              //!< raw request bytes
};

//! Called with the device id once its signature verified, before anything else (the
//! per-device rate limit); an error it returns is the answer. Empty: admitted.
using AdmitDevice = std::function<Result<void>(const std::string& device_id)>;

struct UploadOutcome {
    pairing::HeartbeatAck ack;
    std::uint32_t forks = 0;          //!< seqs seen again with different bytes
    std::uint32_t out_of_window = 0;  //!< heartbeats newly held for time (not counted)
    std::uint32_t chain_breaks = 0;   //!< newly recorded hash-chain breaks
};

//! Errors: unknown_device, bad_signature, device_retired, device_revoked, bad_gzip,
//! payload_too_large, bad_request, db. Heartbeats outside the time window are held, not counted.
Result<UploadOutcome> handle_upload(Store& store, const UploadRequest& req, std::int64_t now,
                                    const IngestOptions& options, const AdmitDevice& admit = {});

using UploadDone = std::function<void(Result<UploadOutcome>)>;
//! handle_upload that does not wait for the commit: the checks run on the caller's thread,
//! then the batch joins the store's next group commit (IngestStore::store_signed_batch_async)
//! and `done` gets the outcome once it is durable, possibly on the store's commit thread.
//! `req`'s bytes must stay valid until `done` ran. `done` is called exactly once.
void handle_upload_async(Store& store, const UploadRequest& req, std::int64_t now,
                         const IngestOptions& options, const AdmitDevice& admit, UploadDone done);

}  // namespace tally::server
