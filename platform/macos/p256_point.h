#pragma once
// Is a 65-byte string an uncompressed point on P-256 (SEC 1 §2.3.4; curve from FIPS 186-4
// D.1.2.3: y² = x³ − 3x + b over GF(p))? The macOS backend checks this itself before
// SecKeyCreateWithData, whose documentation does not say that it validates public points.
// Plain C++ (no Apple API): unit-tested on Linux against OpenSSL's point check.

#include <cstdint>
#include <span>

namespace tally::platform {

//! 0x04 || X || Y with X, Y < p and the curve equation holding.
bool p256_point_on_curve(std::span<const std::uint8_t> point);

}  // namespace tally::platform
