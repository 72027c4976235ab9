#pragma once
// The bytes of one HTTP/1.1 request: request line, Host, Content-Length (when there is a
// body or the method sends one), the caller's headers, the body. Nothing else: every header
// is paid for on the wire at every upload.

#include <string>

#include "agent/interfaces/http_transport.h"
#include "platform/linux/https_url.h"

namespace tally::platform {

std::string format_http_request(const agent::HttpRequest& request, const HttpsUrl& url);

}  // namespace tally::platform
