#pragma once
// SHA-256 of a server certificate's SubjectPublicKeyInfo: what `pair` pins and what
// CURLOPT_PINNEDPUBLICKEY compares ("sha256//<base64>").

#include <optional>
#include <string>
#include <string_view>

namespace tally::platform {

//! Hex SHA-256 of the peer certificate's SPKI of an OpenSSL `SSL*` (as void*); empty if none.
std::string peer_spki_sha256_hex(void* ssl);

//! "sha256//<base64>" for libcurl from a hex pin; nullopt when the hex is not 32 bytes.
std::optional<std::string> curl_pin_from_hex(std::string_view hex);

}  // namespace tally::platform
