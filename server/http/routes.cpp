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
#include "server/http/rate_limiter.h"
#include "server/import/import_route.h"
#include "server/ingest/pair_gate.h"
#include "server/ingest/pair_handler.h"
#include "server/ingest/retire_handler.h"
#include "server/ingest/upload_handler.h"
#include "server/ui/ui_routes.h"

namespace tally::server {
namespace {

// cpp-httplib inflates a request body whose Content-Encoding is gzip while reading it, with
// no size cap, and the signature covers the compressed bytes. So the header is moved aside
// before the body is read; the upload handler inflates itself, after the signature check.
constexpr const char* kRawEncodingHeader = "X-Tally-Raw-Content-Encoding";

httplib::Server::HandlerResponse pre_route(const httplib::Request& req, httplib::Response&) {
    // The request object is a local of the connection loop, not const; only the view is.
    auto& mutable_req = const_cast<httplib::Request&>(req);
    if (const auto it = mutable_req.headers.find("Content-Encoding");
        it != mutable_req.headers.end()) {
        const std::string value = it->second;
        mutable_req.headers.erase(it);
        mutable_req.headers.emplace(kRawEncodingHeader, value);
    }
    return httplib::Server::HandlerResponse::Unhandled;
}

// Reads the raw body, at most `cap` bytes. cpp-httplib caps only bodies with a
// Content-Length; this also bounds chunked ones. On failure the error answer is set.
std::optional<std::string> read_body(const httplib::ContentReader& reader, httplib::Response& res,
                                     std::size_t cap) {
    std::string body;
    bool too_large = false;
    const bool ok = reader([&](const char* data, std::size_t size) {
        if (body.size() + size > cap) {
            too_large = true;
            return false;
        }
        body.append(data, size);
        return true;
    });
    if (ok) {
        return body;
    }
    if (too_large || res.status == 413) {
        set_error(res, make_error("payload_too_large",
                                  "the body is over " + std::to_string(cap) + " bytes"));
    } else {
        set_error(res, make_error("bad_request", "the request body could not be read"));
    }
    return std::nullopt;
}

void answer_json(httplib::Response& res, const std::string& json) {
    res.status = 200;
    res.set_content(json, "application/json");
}

void refuse(httplib::Response& res, const std::string& what, const Error& error) {
    log_event(what + " refused: " + error.code + ": " + error.message);
    set_error(res, error);
}

double monotonic_s() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

//! True when `wait` says over the limit; then the 429 answer (with Retry-After) is set.
bool limited(std::optional<std::int64_t> wait, const std::string& what, httplib::Response& res) {
    if (!wait) {
        return false;
    }
    log_event(what + " rate limited for " + std::to_string(*wait) + " s");
    set_error(res, make_error("rate_limited",
                              "too many requests; retry in " + std::to_string(*wait) + " s"));
    res.set_header("Retry-After", std::to_string(*wait));
    return true;
}

}  // namespace

void install_routes(httplib::Server& server, Store& store, const IngestOptions& options,
                    Clock clock) {
    server.set_payload_max_length(kMaxUploadBody);
    server.set_pre_routing_handler(pre_route);

    using Req = httplib::Request;
    using Res = httplib::Response;
    using Reader = httplib::ContentReader;
    auto pair_gate = std::make_shared<PairGate>(
        PairLimits{options.pair_burst, options.pair_per_second, options.pair_valid_burst,
                   options.pair_valid_per_second});
    auto upload_limit =
        std::make_shared<RateLimiter>(RateLimit{options.upload_burst, options.upload_per_second});

    server.Post("/v1/pair", [&store, &options, clock, pair_gate](const Req& req, Res& res,
                                                                 const Reader& reader) {
        // Before the body is read: a code guesser costs us neither a signature check nor SQL.
        const auto& address = req.remote_addr;
        if (limited(pair_gate->admit(address, monotonic_s()), "pairing from " + address, res)) {
            return;
        }
        {
            const auto body = read_body(reader, res, kMaxSmallBody);
            if (!body) {
                return;
            }
            auto resp = handle_pair(store, *body, req.get_header_value(pairing::kHeaderSignature),
                                    clock(), options);
            pair_gate->record(address, resp ? std::string() : resp.error().code, monotonic_s());
            if (!resp) {
                refuse(res, "pairing", resp.error());
                return;
            }
            log_event("pairing accepted: device " + resp->device_id + " tenant " + resp->tenant);
            answer_json(res, pairing::encode_pair_response(*resp));
        }
    });

    server.Post("/v1/heartbeats", [&store, &options, clock, upload_limit](const Req& req, Res& res,
                                                                          const Reader& reader) {
        const auto device = req.get_header_value(pairing::kHeaderDevice);
        // Keyed by the claimed device before any verification: the bucket map is bounded, and
        // a forger who spends a device's budget only delays that device (Retry-After).
        if (limited(upload_limit->take("device:" + device, monotonic_s()), "uploads of " + device,
                    res)) {
            return;
        }
        const auto body = read_body(reader, res, kMaxUploadBody);
        if (!body) {
            return;
        }
        const auto encoding = req.get_header_value(kRawEncodingHeader);
        const auto signature = req.get_header_value(pairing::kHeaderSignature);
        UploadRequest upload{device, signature, encoding, *body};
        auto outcome = handle_upload(store, upload, clock(), options);
        if (!outcome) {
            refuse(res, "batch from " + (device.empty() ? "(no device)" : device), outcome.error());
            return;
        }
        if (outcome->forks > 0) {
            log_event("device " + device + " sent " + std::to_string(outcome->forks) +
                      " heartbeat(s) that differ from stored ones: flagged suspected_clone");
        }
        if (outcome->out_of_window > 0) {
            log_event("device " + device + ": " + std::to_string(outcome->out_of_window) +
                      " heartbeat(s) outside the time window held, not counted");
        }
        if (outcome->chain_breaks > 0) {
            log_event("device " + device + ": " + std::to_string(outcome->chain_breaks) +
                      " hash-chain break(s) recorded");
        }
        answer_json(res, pairing::encode_ack(outcome->ack));
    });

    server.Post("/v1/retire", [&store, clock](const Req& req, Res& res, const Reader& reader) {
        const auto body = read_body(reader, res, kMaxSmallBody);
        if (!body) {
            return;
        }
        const auto device = req.get_header_value(pairing::kHeaderDevice);
        auto retired = handle_retire(store, device, req.get_header_value(pairing::kHeaderSignature),
                                     *body, clock());
        if (!retired) {
            refuse(res, "retire of " + (device.empty() ? "(no device)" : device), retired.error());
            return;
        }
        log_event("device " + *retired + " retired");
        answer_json(res, "{\"retired\":true}");
    });

    // Admin API and usage reports (admin_routes.cpp).
    install_admin_routes(server, store, clock);

    install_import_route(server, store, clock);

    // The admin web page at /ui (server/ui/).
    ui::install_ui_routes(server, store, clock);

    // Every non-2xx answer carries a protocol error body; handlers set their own.
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (!res.body.empty()) {
            return;
        }
        switch (res.status) {
            case 404:
                set_error(res, make_error("not_found", "no such endpoint"));
                break;
            case 413:
                set_error(res, make_error("payload_too_large", "the body is over " +
                                                                   std::to_string(kMaxUploadBody) +
                                                                   " bytes; split the batch"));
                break;
            default:
                res.set_content(pairing::encode_error({"bad_request", "the request is malformed"}),
                                "application/json");
        }
    });
    server.set_exception_handler(
        [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
            std::string what = "unknown exception";
            try {
                std::rethrow_exception(ep);
            } catch (const std::exception& e) {
                what = e.what();
            } catch (...) {
            }
            log_event("internal error on " + req.path + ": " + what);
            set_error(res, make_error("internal", what));
        });
}

}  // namespace tally::server
