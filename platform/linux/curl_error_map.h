#pragma once
// libcurl's CURLcode → the core's TransportError (what the uploader decides on).

#include <curl/curl.h>

#include "agent/interfaces/http_transport.h"

namespace tally::platform {

agent::TransportError map_curl_error(CURLcode code);

}  // namespace tally::platform
