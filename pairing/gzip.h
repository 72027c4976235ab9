#pragma once
// gzip (RFC 1952) with zlib. Decompression is capped so a small body cannot expand into
// gigabytes (a zip bomb is an error, not an allocation).

#include <cstddef>
#include <string>
#include <string_view>

#include "pairing/result.h"

namespace tally::pairing {

std::string gzip_compress(std::string_view data, int level = 6);
//! Error "too_large" past max_output bytes, "bad_gzip" on a malformed or truncated stream.
Result<std::string> gzip_decompress(std::string_view data, std::size_t max_output);

}  // namespace tally::pairing
