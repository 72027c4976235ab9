#pragma once
// SHA-256 of a server certificate's SubjectPublicKeyInfo: what `pair` pins and what the
// transport compares on every connection.

#include <string>

namespace tally::platform {

//! Hex SHA-256 of the peer certificate's SPKI of an OpenSSL `SSL*` (as void*); empty if none.
std::string peer_spki_sha256_hex(void* ssl);

}  // namespace tally::platform
