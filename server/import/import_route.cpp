// POST /v1/tenants/{t}/import (see import_route.h).

#include "server/import/import_route.h"

#include <string>

#include "pairing/gzip.h"
#include "pairing/messages.h"
#include "server/auth/admin_token.h"
#include "server/http/error_response.h"
#include "server/http/event_log.h"
#include "server/import/import_bundle.h"

namespace tally::server {
namespace {

// The server's payload limit (4 MiB) bounds the raw body; a month of a busy device fits
// gzip-compressed. Inflated bundles are capped here.
constexpr std::size_t kMaxInflated = 64 * 1024 * 1024;

bool is_refusal(const std::string& code) {
    return code == "bad_bundle" || code == "bad_signature" || code == "chain_broken" ||
           code == "wrong_tenant";
}

}  // namespace

void install_import_route(Router& router, Store& store, std::function<std::int64_t()> clock) {
    router.post(
        R"(/v1/tenants/([^/]+)/import)",
        [&store, clock](const Request& req, Response& res) {
            const std::string tenant = req.matches[1];
            if (auto ok = authorize_tenant_access(store, req.get_header_value("Authorization"),
                                                  tenant, clock());
                !ok) {
                set_error(res, ok.error());
                return;
            }
            std::string body = req.body;  // the front capped it at kLargeBody
            // The front never inflates; framing.h let through only a single "gzip" or none.
            const std::string encoding = req.get_header_value("Content-Encoding");
            if (encoding == "gzip") {
                auto inflated = pairing::gzip_decompress(body, kMaxInflated);
                if (!inflated) {
                    set_error(
                        res,
                        inflated.error().code == "too_large"
                            ? make_error("payload_too_large", "the inflated bundle is too large")
                            : make_error("bad_gzip", "the body is not a valid gzip stream"));
                    return;
                }
                body = std::move(*inflated);
            } else if (!encoding.empty()) {
                set_error(res,
                          make_error("bad_request", "Content-Encoding must be gzip or absent"));
                return;
            }
            auto report = import_bundle(store, tenant, body, clock());
            if (!report) {
                const auto& e = report.error();
                log_event("import into " + tenant + " refused: " + e.code + ": " + e.message);
                if (is_refusal(e.code)) {
                    res.status = 422;
                    res.set_content(pairing::encode_error({e.code, e.message}), "application/json");
                } else {
                    set_error(res, e);
                }
                return;
            }
            log_event("import into " + tenant + ": device " + report->device_id + " (" +
                      report->trust + "), new " + std::to_string(report->accepted) +
                      ", duplicate " + std::to_string(report->duplicates) + ", refused " +
                      std::to_string(report->refused));
            res.status = 200;
            res.set_content(import_report_json(*report), "application/json");
        },
        kLargeBody);
}

}  // namespace tally::server
