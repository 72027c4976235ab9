#pragma once
// Builds the POST /v1/heartbeats request (PROTOCOL.md §4): batch JSON, gzip. The SignedSender
// adds the ECDSA signature over the exact compressed bytes.

#include <cstdint>
#include <string>

#include "agent/interfaces/signed_sender.h"
#include "agent/spool/spool.h"
#include "pairing/result.h"

namespace tally::agent {

//! "https://host:port" + "/v1/..." without a doubled slash.
std::string join_url(const std::string& base, const std::string& path);

SignedRequest build_upload_request(const spool::Pending& pending, const std::string& device_id,
                                   const std::string& server_url, std::int64_t sent_at);

}  // namespace tally::agent
