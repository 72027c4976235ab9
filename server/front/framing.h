#pragma once
// Strict request framing, checked on the parsed header before any body byte is read:
// exactly one way to know where the body ends (never Content-Length and Transfer-Encoding
// together, never two Content-Lengths, Transfer-Encoding only "chunked"), at most one
// Content-Encoding and only "gzip" (never stacked, never repeated), no repeated header that
// carries one value (Tally-Signature, Tally-Device, Authorization, Host, Content-Type), and
// a bounded header count. The Beast parser already refuses some of these; this check is
// ours so it does not depend on a parser version.

#include <cstddef>
#include <optional>

#include "pairing/result.h"
#include "server/front/message.h"

namespace tally::server {

inline constexpr std::size_t kMaxHeaderCount = 64;

//! nullopt when the header is acceptable; else the error to answer (bad_request or
//! header_too_large). The connection is closed after answering it.
std::optional<Error> check_framing(const Headers& headers,
                                   std::size_t max_header_count = kMaxHeaderCount);

}  // namespace tally::server
