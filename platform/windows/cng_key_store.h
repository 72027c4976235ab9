#pragma once
// agent::KeyStore as a CNG (NCrypt) persisted machine key: ECDSA P-256, non-exportable,
// ACL'd to SYSTEM and Administrators. In the Microsoft Platform Crypto Provider (TPM) when
// it opens, else the Microsoft Software Key Storage Provider. storage() says which
// ("tpm" | "software") for status.

#include <memory>
#include <string>

#include "agent/interfaces/key_store.h"

namespace tally::platform {

class CngKeyStore : public agent::KeyStore {
  public:
    //! `key_name`: the persisted key's name in the machine key store (one per state dir).
    //! `try_tpm`: false skips the Platform Crypto Provider (tests).
    explicit CngKeyStore(std::wstring key_name, bool try_tpm = true);
    ~CngKeyStore() override;

    bool has_key() const override;
    Result<void> create() override;
    Result<pairing::Bytes> public_key() const override;
    Result<pairing::Bytes> sign(std::span<const std::uint8_t> message) const override;
    Result<void> destroy() override;
    std::string describe() const override;
    //! "tpm" or "software" (the provider that holds or will hold the key), "none" if no
    //! provider opened.
    std::string storage() const override;

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

//! The key name for a state directory: "Tally Device Key <16 hex of sha256(dir)>".
std::wstring key_name_for(const std::wstring& state_dir);

//! "TPM" → provider order tried; exposed for tests. Returns the NCRYPT error text of `status`.
std::string ncrypt_error(const char* what, long status);

}  // namespace tally::platform
