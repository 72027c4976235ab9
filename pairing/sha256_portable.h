#pragma once
// SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) in plain C++, for the resident agent, which
// links no crypto library (platform/posix/agent_crypto.cpp makes these its crypto.h
// backend). Same answers as crypto.h's sha256/hmac_sha256; tests compare them.

#include <span>

#include "pairing/bytes.h"

namespace tally::pairing::portable {

Bytes sha256(std::span<const std::uint8_t> data);
Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

}  // namespace tally::pairing::portable
