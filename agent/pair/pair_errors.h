#pragma once
// Sentences for pairing failures: transport errors and the server's error codes.

#include <string>

#include "agent/interfaces/http_transport.h"

namespace tally::agent {

std::string describe_transport_failure(const TransportResult& r, const std::string& url);
//! For a non-200 answer to POST /v1/pair.
std::string describe_pair_refusal(const HttpResponse& response);

}  // namespace tally::agent
