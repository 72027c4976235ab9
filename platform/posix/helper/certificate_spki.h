#pragma once
// The server key's SPKI from its certificate as libcurl's CURLINFO_CERTINFO reports it (a
// "Cert:" PEM entry per certificate, the server's first), without any TLS library: what the
// helper pins when libcurl is not built on OpenSSL 3 (macOS's system libcurl, see
// tls_hooks.h). Plain DER walking, tested against the openssl CLI's SPKI hash.

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "pairing/bytes.h"

namespace tally::platform {

//! The DER of the first "-----BEGIN CERTIFICATE-----" block of `pem`; nullopt if none.
std::optional<pairing::Bytes> certificate_der_from_pem(std::string_view pem);

//! The subjectPublicKeyInfo element (tag and length included) of an X.509 certificate in
//! DER (RFC 5280 §4.1); nullopt when `der` is not one.
std::optional<std::span<const std::uint8_t>> certificate_spki(std::span<const std::uint8_t> der);

//! Hex SHA-256 of the SPKI of the certificate in `pem`; empty when there is none.
std::string certificate_spki_sha256_hex(std::string_view pem);

}  // namespace tally::platform
