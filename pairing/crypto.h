#pragma once
// Cryptographic primitives the protocol needs. One header, one implementation per backend:
// crypto_openssl.cpp (Linux, macOS, server) and a CNG implementation for Windows.
// Public keys are 65-byte uncompressed SEC1 P-256 points (0x04 || X || Y);
// signatures are ECDSA P-256 over SHA-256 in the 64-byte r||s form.

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "pairing/bytes.h"
#include "pairing/result.h"

namespace tally::pairing {

constexpr std::size_t kPublicKeySize = 65;
constexpr std::size_t kSignatureSize = 64;
constexpr std::size_t kSha256Size = 32;

Bytes sha256(std::span<const std::uint8_t> data);
inline Bytes sha256(std::string_view data) {
    return sha256(as_bytes(data));
}
Bytes hmac_sha256(std::span<const std::uint8_t> key, std::span<const std::uint8_t> data);

//! Cryptographically secure random bytes; throws std::runtime_error if the OS has none.
Bytes random_bytes(std::size_t n);

//! True when `signature` (r||s) is a valid ECDSA P-256/SHA-256 signature of `message`.
bool verify_signature(std::span<const std::uint8_t> public_key,
                      std::span<const std::uint8_t> message,
                      std::span<const std::uint8_t> signature);

//! A parsed public key, for verifying many messages without decoding the point each time
//! (the server memoizes one per registered key). verify() is safe from several threads.
class PublicKey {
  public:
    //! Fails (bad_key) unless `point` is a 65-byte uncompressed point on P-256.
    static Result<PublicKey> parse(std::span<const std::uint8_t> point);

    PublicKey(PublicKey&&) noexcept;
    PublicKey& operator=(PublicKey&&) noexcept;
    ~PublicKey();

    //! Same answer as verify_signature(point, message, signature).
    bool verify(std::span<const std::uint8_t> message,
                std::span<const std::uint8_t> signature) const;

    struct Impl;

  private:
    explicit PublicKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

//! DER ECDSA-Sig-Value (what `openssl dgst -sign` writes) → 64-byte r||s; strict DER only.
Result<Bytes> signature_from_der(std::span<const std::uint8_t> der);
//! 64-byte r||s → DER ECDSA-Sig-Value; empty when the input is not 64 bytes.
Bytes signature_to_der(std::span<const std::uint8_t> signature);

//! An ECDSA P-256 key held in process memory. Used by the agent's file key store, by
//! standalone bundles' tests and by tools; platform key stores (CNG/TPM) implement the
//! agent's KeyStore interface instead.
class SoftwareKey {
  public:
    static Result<SoftwareKey> generate();
    //! PKCS#8 or SEC1 PEM private key.
    static Result<SoftwareKey> from_pem(std::string_view pem);

    SoftwareKey(SoftwareKey&&) noexcept;
    SoftwareKey& operator=(SoftwareKey&&) noexcept;
    ~SoftwareKey();

    std::string to_pem() const;                               //!< PKCS#8 PEM
    Bytes public_key() const;                                 //!< 65-byte uncompressed point
    Bytes sign(std::span<const std::uint8_t> message) const;  //!< 64-byte r||s
    Bytes sign(std::string_view message) const { return sign(as_bytes(message)); }

    struct Impl;

  private:
    explicit SoftwareKey(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tally::pairing
