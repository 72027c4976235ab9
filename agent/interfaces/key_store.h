#pragma once
// The device key: made on the device, never leaves it. Linux/macOS: a 0600 PEM file in the
// state dir; Windows: a CNG machine key (TPM where present).

#include <span>
#include <string>

#include "pairing/bytes.h"
#include "pairing/result.h"

namespace tally::agent {

class KeyStore {
  public:
    virtual ~KeyStore() = default;
    virtual bool has_key() const = 0;
    //! Makes a new key pair, replacing any previous one.
    virtual Result<void> create() = 0;
    //! 65-byte uncompressed P-256 point.
    virtual Result<pairing::Bytes> public_key() const = 0;
    //! ECDSA P-256/SHA-256 over `message`, 64-byte r||s.
    virtual Result<pairing::Bytes> sign(std::span<const std::uint8_t> message) const = 0;
    virtual Result<void> destroy() = 0;
    //! Where the key lives, for status ("file:/var/lib/tally/device.key", "cng:tpm").
    virtual std::string describe() const = 0;
    //! Kind of storage for status `key_storage`: "file", "tpm", "software" (CNG Software KSP).
    virtual std::string storage() const { return "file"; }
};

}  // namespace tally::agent
