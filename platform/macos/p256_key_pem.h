#pragma once
// The device key file's format on macOS, without OpenSSL: a P-256 private key as PKCS#8 PEM
// ("PRIVATE KEY", RFC 5208 + RFC 5915, what OpenSSL writes on Linux, so a key file moves
// between the two backends), read also from SEC1 PEM ("EC PRIVATE KEY").
// Security.framework imports and exports EC private keys in the ANSI X9.63 form
// 04 || X || Y || D (SecKeyCreateWithData / SecKeyCopyExternalRepresentation); this file
// converts between that and PEM. No Apple API: unit-tested on Linux against OpenSSL.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "pairing/bytes.h"
#include "pairing/result.h"

namespace tally::platform {

struct P256PrivateKey {
    std::array<std::uint8_t, 32> d{};      //!< the private scalar, big-endian
    std::array<std::uint8_t, 65> point{};  //!< 0x04 || X || Y
};

//! PKCS#8 or SEC1 PEM → key. The file must carry the public point (OpenSSL always writes
//! it): Security cannot derive it, and a key without it is refused with a clear error.
Result<P256PrivateKey> parse_p256_private_pem(std::string_view pem);

//! Key → PKCS#8 PEM with the public point.
std::string p256_private_pem(const P256PrivateKey& key);

//! 04 || X || Y || D (97 bytes), SecKeyCreateWithData's input for a private key.
pairing::Bytes p256_x963_private(const P256PrivateKey& key);
//! SecKeyCopyExternalRepresentation's output for a private key → key.
Result<P256PrivateKey> p256_from_x963_private(std::span<const std::uint8_t> x963);

}  // namespace tally::platform
