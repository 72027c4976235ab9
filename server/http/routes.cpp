// HTTP routes (see routes.h).

#include "server/http/routes.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "pairing/messages.h"
#include "server/http/admin_routes.h"
#include "server/http/error_response.h"
#include "server/http/event_log.h"
#include "server/http/metrics_route.h"
#include "server/http/rate_limiter.h"
#include "server/import/import_route.h"
#include "server/ingest/pair_gate.h"
#include "server/ingest/pair_handler.h"
#include "server/ingest/retire_handler.h"
#include "server/ingest/upload_handler.h"
#include "server/ui/ui_routes.h"

namespace tally::server {
namespace {

void answer_json(Response& res, const std::string& json) {
    res.status = 200;
    res.set_content(json, "application/json");
}

void refuse(Response& res, const std::string& what, const Error& error) {
    log_event(what + " refused: " + error.code + ": " + error.message);
    set_error(res, error);
}

double monotonic_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

//! The 429 answer (with Retry-After) when `wait` says over the limit, else nothing.
Result<void> over_limit(std::optional<std::int64_t> wait, const std::string& what, Response& res) {
    if (!wait) {
        return {};
    }
    log_event(what + " rate limited for " + std::to_string(*wait) + " s");
    res.set_header("Retry-After", std::to_string(*wait));
    return make_error("rate_limited",
                      "too many requests; retry in " + std::to_string(*wait) + " s");
}

//! The 429 answer for `key` when it is over its limit (with Retry-After), else nothing.
Result<void> take_token(RateLimiter& limiter, const std::string& key, const std::string& what,
                        Response& res) {
    return over_limit(limiter.take(key, monotonic_s()), what, res);
}

void log_upload_notes(const std::string& device, const UploadOutcome& outcome) {
    if (outcome.forks > 0) {
        log_event("device " + device + " sent " + std::to_string(outcome.forks) +
                  " heartbeat(s) that differ from stored ones: flagged suspected_clone");
    }
    if (outcome.out_of_window > 0) {
        log_event("device " + device + ": " + std::to_string(outcome.out_of_window) +
                  " heartbeat(s) outside the time window held, not counted");
    }
    if (outcome.chain_breaks > 0) {
        log_event("device " + device + ": " + std::to_string(outcome.chain_breaks) +
                  " hash-chain break(s) recorded");
    }
}

//! POST /v1/heartbeats, an asynchronous route: answered once the batch's commit is durable.
void install_upload_route(Router& router, Store& store, const IngestOptions& options,
                          const Clock& clock,
                          const std::shared_ptr<metrics::IngestMetrics>& metrics) {
    auto upload_limit =
        std::make_shared<RateLimiter>(RateLimit{options.upload_burst, options.upload_per_second});
    router.post_async(
        "/v1/heartbeats",
        [&store, &options, clock, upload_limit, metrics](const Request& req, Respond respond) {
            // What the answer needs once the batch is durable (on the commit's thread).
            struct Call {
                std::string device;
                Response res;
                metrics::UploadTimer timer;
            };
            auto call = std::make_shared<Call>(Call{req.get_header_value(pairing::kHeaderDevice),
                                                    Response{},
                                                    {*metrics, monotonic_s()}});
            const auto signature = req.get_header_value(pairing::kHeaderSignature);
            const auto encoding = req.get_header_value("Content-Encoding");
            const UploadRequest upload{call->device, signature, encoding, req.body};
            // Only once the signature verified: an unsigned request naming a victim's device
            // cannot spend that device's budget.
            const auto admit = [&call, &upload_limit](const std::string& id) {
                call->timer.verified(monotonic_s());
                return take_token(*upload_limit, "device:" + id, "uploads of " + id, call->res);
            };
            auto done = [call, metrics,
                         respond = std::move(respond)](Result<UploadOutcome> outcome) {
                auto& res = call->res;
                if (!outcome) {
                    metrics->batch_refused(outcome.error().code);
                    refuse(res,
                           "batch from " + (call->device.empty() ? "(no device)" : call->device),
                           outcome.error());
                } else {
                    call->timer.committed(monotonic_s(),
                                          {outcome->ack.accepted, outcome->ack.duplicates,
                                           outcome->ack.out_of_window, outcome->forks});
                    log_upload_notes(call->device, *outcome);
                    answer_json(res, pairing::encode_ack(outcome->ack));
                }
                respond(std::move(res));
            };
            handle_upload_async(store, upload, clock(), options, admit, std::move(done));
        },
        kLargeBody);
}

void install_protocol_routes(Router& router, Store& store, const IngestOptions& options,
                             const Clock& clock,
                             const std::shared_ptr<metrics::IngestMetrics>& metrics) {
    auto pair_gate = std::make_shared<PairGate>(
        PairLimits{options.pair_burst, options.pair_per_second, options.pair_valid_burst,
                   options.pair_valid_per_second});
    router.post(
        "/v1/pair", [&store, &options, clock, pair_gate](const Request& req, Response& res) {
            // Before any signature check or SQL: a code guesser costs us neither. Failed
            // attempts count per address; valid pairings only under a generous ceiling.
            const auto& address = req.remote_addr;
            if (auto r = over_limit(pair_gate->admit(address, monotonic_s()),
                                    "pairing from " + address, res);
                !r) {
                set_error(res, r.error());
                return;
            }
            auto resp = handle_pair(
                store, req.body, req.get_header_value(pairing::kHeaderSignature), clock(), options);
            pair_gate->record(address, resp ? std::string() : resp.error().code, monotonic_s());
            if (!resp) {
                refuse(res, "pairing", resp.error());
                return;
            }
            log_event("pairing accepted: device " + resp->device_id + " tenant " + resp->tenant);
            answer_json(res, pairing::encode_pair_response(*resp));
        });

    install_upload_route(router, store, options, clock, metrics);

    router.post("/v1/retire", [&store, clock](const Request& req, Response& res) {
        const auto device = req.get_header_value(pairing::kHeaderDevice);
        auto retired = handle_retire(store, device, req.get_header_value(pairing::kHeaderSignature),
                                     req.body, clock());
        if (!retired) {
            refuse(res, "retire of " + (device.empty() ? "(no device)" : device), retired.error());
            return;
        }
        log_event("device " + *retired + " retired");
        answer_json(res, "{\"retired\":true}");
    });
}

}  // namespace

void install_routes(Router& router, Store& store, const IngestOptions& options, Clock clock,
                    std::function<std::size_t()> open_connections) {
    auto metrics = std::make_shared<metrics::IngestMetrics>();
    install_protocol_routes(router, store, options, clock, metrics);
    install_metrics_route(router, store, clock, metrics, std::move(open_connections));
    // Admin API and usage reports (admin_routes.cpp).
    install_admin_routes(router, store, clock);
    install_import_route(router, store, clock);
    // The admin web page at /ui (server/ui/).
    ui::install_ui_routes(router, store, clock);
}

}  // namespace tally::server
