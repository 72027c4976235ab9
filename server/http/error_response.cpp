// Protocol error answers (see error_response.h).

#include "server/http/error_response.h"

#include <map>
#include <string>

#include "pairing/messages.h"
#include "server/http/event_log.h"

namespace tally::server {

int http_status_for(std::string_view code) {
    static const std::map<std::string_view, int> kStatus = {
        {"bad_request", 400},    {"bad_gzip", 400},       {"bad_signature", 401},
        {"unknown_device", 401}, {"unauthorized", 401},   {"invalid_code", 403},
        {"code_expired", 403},   {"code_exhausted", 403}, {"tenant_inactive", 403},
        {"forbidden", 403},      {"not_found", 404},      {"method_not_allowed", 405},
        {"device_retired", 410}, {"device_revoked", 410}, {"payload_too_large", 413},
        {"out_of_window", 422},  {"rate_limited", 429},   {"header_too_large", 431},
    };
    const auto it = kStatus.find(code);
    return it == kStatus.end() ? 500 : it->second;
}

void set_error(Response& res, const Error& error) {
    res.status = http_status_for(error.code);
    pairing::ErrorBody body{error.code, error.message};
    if (res.status == 500) {
        log_event("internal error: " + error.code + ": " + error.message);
        body = {"internal", "the server failed to handle the request; retry later"};
    }
    res.set_content(pairing::encode_error(body), "application/json");
}

}  // namespace tally::server
