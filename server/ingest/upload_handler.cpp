// POST /v1/heartbeats (see upload_handler.h).

#include "server/ingest/upload_handler.h"

#include <string>
#include <vector>

#include "pairing/batch.h"
#include "pairing/bytes.h"
#include "pairing/gzip.h"
#include "pairing/heartbeat.h"
#include "server/application/device_admin.h"
#include "server/domain/device_lifecycle.h"
#include "server/domain/tenant_state.h"
#include "server/ingest/device_auth.h"

namespace tally::server {
namespace {

Result<std::string> inflate(std::string_view body, const IngestOptions& options) {
    auto inflated = pairing::gzip_decompress(body, options.max_inflated_bytes);
    if (inflated) {
        return std::move(*inflated);
    }
    if (inflated.error().code == "too_large") {
        return make_error("payload_too_large", "the inflated body is over " +
                                                   std::to_string(options.max_inflated_bytes) +
                                                   " bytes; split the batch");
    }
    return make_error("bad_gzip",
                      "the body is not a valid gzip stream: " + inflated.error().message);
}

// Seqs are stored as SQLite INTEGER (signed 64-bit); 2^53 keeps them exact in JSON too.
constexpr std::uint64_t kMaxSeq = std::uint64_t{1} << 53;

Result<void> check_gaps(const std::vector<pairing::Gap>& gaps) {
    for (const auto& g : gaps) {
        if (g.from_seq < 1 || g.to_seq < g.from_seq || g.to_seq > kMaxSeq) {
            return make_error("bad_request", "gap " + std::to_string(g.from_seq) + ".." +
                                                 std::to_string(g.to_seq) + " is not a seq range");
        }
    }
    return {};
}

//! The lifecycle and the tenant admit the device's upload: a retired or revoked device is
//! refused (410), an inactive tenant's agents too (403 tenant_inactive, DESIGN.md §5 rule 5).
Result<void> admit_upload(Store& store, const Device& device) {
    auto state = application::DeviceAdmin(store).state(device);
    if (!state) {
        return state.error();
    }
    if (auto use = domain::transition(*state, domain::DeviceEvent::upload, device.id); !use) {
        return use.error();
    }
    auto tenant = store.find_tenant(device.tenant);
    if (!tenant) {
        return tenant.error();
    }
    if (*tenant &&
        domain::parse_tenant_status((*tenant)->status) == domain::TenantStatus::inactive) {
        return make_error("tenant_inactive", "tenant '" + device.tenant + "' is inactive");
    }
    return {};
}

//! The batch's heartbeats decoded, in ascending seq, each marked held when outside the window.
Result<std::vector<AcceptedHeartbeat>> accept_heartbeats(pairing::Batch& batch, std::int64_t now,
                                                         const IngestOptions& options) {
    std::vector<AcceptedHeartbeat> accepted;
    const auto newest = now + options.max_future_s;
    const auto oldest = now - options.max_backfill_days * 86400;
    for (std::size_t i = 0; i < batch.heartbeats.size(); ++i) {
        auto& bytes = batch.heartbeats[i];
        auto hb = pairing::decode_heartbeat(bytes);
        if (!hb) {
            return make_error("bad_request",
                              "heartbeat #" + std::to_string(i) + ": " + hb.error().message);
        }
        if (hb->seq > kMaxSeq) {
            return make_error("bad_request", "heartbeat #" + std::to_string(i) + ": seq " +
                                                 std::to_string(hb->seq) + " is too large");
        }
        // PROTOCOL.md §4: heartbeats in ascending seq (so no seq twice in one batch).
        if (!accepted.empty() && hb->seq <= accepted.back().decoded.seq) {
            return make_error("bad_request", "heartbeat #" + std::to_string(i) + ": seq " +
                                                 std::to_string(hb->seq) +
                                                 " is not above the previous one's; heartbeats "
                                                 "must be in ascending seq");
        }
        // Outside the window: held as evidence, not counted, but acknowledged so the agent
        // never wedges on it (a bundle import can promote the same bytes later).
        const bool held = hb->end > newest || hb->end < oldest;
        accepted.push_back({std::move(bytes), std::move(*hb), held});
    }
    return accepted;
}

//! The decoded batch of the request, checked against the device.
Result<pairing::Batch> read_batch(const UploadRequest& req, const Device& device,
                                  const IngestOptions& options) {
    if (!req.content_encoding.empty() && req.content_encoding != "gzip") {
        return make_error("bad_request", "Content-Encoding must be gzip, not '" +
                                             std::string(req.content_encoding) + "'");
    }
    auto json = inflate(req.body, options);
    if (!json) {
        return json.error();
    }
    auto batch = pairing::decode_batch(*json);
    if (!batch) {
        return make_error("bad_request", "batch: " + batch.error().message);
    }
    if (batch->device_id != device.id) {
        return make_error("bad_request", "batch device_id '" + batch->device_id +
                                             "' does not match the Tally-Device header");
    }
    if (auto r = check_gaps(batch->gaps); !r) {
        return r.error();
    }
    return batch;
}

//! Everything before the store: the device authenticated and admitted, the batch read
//! and decoded, ready for the store.
Result<BatchToStore> prepare_upload(Store& store, const UploadRequest& req, std::int64_t now,
                                    const IngestOptions& options, const AdmitDevice& admit) {
    auto device = authenticate_device(store, req.device_id, req.signature, req.body);
    if (!device) {
        return device.error();
    }
    if (admit) {
        if (auto admitted = admit(device->id); !admitted) {
            return admitted.error();
        }
    }
    if (auto admitted = admit_upload(store, *device); !admitted) {
        return admitted.error();
    }
    auto batch = read_batch(req, *device, options);
    if (!batch) {
        return batch.error();
    }
    auto accepted = accept_heartbeats(*batch, now, options);
    if (!accepted) {
        return accepted.error();
    }
    // The signed body is the batch's evidence (schema 10): kept as received with its signature.
    const auto signature = pairing::base64url_decode(req.signature);
    return BatchToStore{
        std::move(device->id),
        SignedUpload{req.body,
                     signature ? std::string(pairing::as_chars(*signature)) : std::string()},
        std::move(*accepted), std::move(batch->gaps), now};
}

UploadOutcome outcome_of(const StoreBatchResult& stored, std::int64_t now) {
    UploadOutcome outcome;
    outcome.ack.acked_through = stored.acked_through;
    outcome.ack.server_time = now;
    outcome.ack.accepted = stored.accepted;
    outcome.ack.duplicates = stored.duplicates;
    outcome.ack.out_of_window = stored.held;
    outcome.forks = stored.forks;
    outcome.out_of_window = stored.held;
    outcome.chain_breaks = stored.chain_breaks;
    return outcome;
}

}  // namespace

Result<UploadOutcome> handle_upload(Store& store, const UploadRequest& req, std::int64_t now,
                                    const IngestOptions& options, const AdmitDevice& admit) {
    auto batch = prepare_upload(store, req, now, options, admit);
    if (!batch) {
        return batch.error();
    }
    auto stored = store.store_signed_batch(batch->device_id, batch->signed_body, batch->hbs,
                                           batch->gaps, now);
    if (!stored) {
        return stored.error();
    }
    return outcome_of(*stored, now);
}

void handle_upload_async(Store& store, const UploadRequest& req, std::int64_t now,
                         const IngestOptions& options, const AdmitDevice& admit, UploadDone done) {
    auto batch = prepare_upload(store, req, now, options, admit);
    if (!batch) {
        return done(batch.error());
    }
    store.store_signed_batch_async(std::move(*batch),
                                   [now, done = std::move(done)](Result<StoreBatchResult> stored) {
                                       if (!stored) {
                                           return done(stored.error());
                                       }
                                       done(outcome_of(*stored, now));
                                   });
}

}  // namespace tally::server
