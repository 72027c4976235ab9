#pragma once
// ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }, RFC 3279 §2.2.3) in strict DER, for
// P-256: Security.framework's SecKeyCreateSignature gives and SecKeyVerifySignature takes
// this form (kSecKeyAlgorithmECDSASignatureMessageX962SHA256); the protocol carries r||s.
// No Apple API: unit-tested on Linux against OpenSSL's encoder.

#include <span>

#include "pairing/bytes.h"
#include "pairing/result.h"

namespace tally::platform {

//! Strict DER (minimal lengths and integers, nothing after the sequence, non-negative
//! values of at most 32 bytes) → 64-byte r||s.
Result<pairing::Bytes> ecdsa_der_to_raw(std::span<const std::uint8_t> der);

//! 64-byte r||s → DER; empty when the input is not 64 bytes.
pairing::Bytes ecdsa_raw_to_der(std::span<const std::uint8_t> raw);

}  // namespace tally::platform
