// Protocol error answers (see error_response.h).

#include "server/http/error_response.h"

#include <string>

#include "pairing/messages.h"
#include "server/domain/error_code.h"
#include "server/http/event_log.h"

namespace tally::server {

int http_status_for(std::string_view code) {
    return domain::http_status(domain::code_of(code));
}

void set_error(Response& res, const Error& error) {
    res.status = http_status_for(error.code);
    pairing::ErrorBody body{error.code, error.message};
    if (res.status == 500) {
        log_event("internal error: " + error.code + ": " + error.message);
        body = {"internal", "the server failed to handle the request; retry later"};
    } else if (res.status == 503) {
        log_event("database unavailable: " + error.code + ": " + error.message);
        body = {"unavailable", "the server's database is unavailable; retry later"};
    }
    res.set_content(pairing::encode_error(body), "application/json");
}

}  // namespace tally::server
