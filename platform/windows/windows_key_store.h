#pragma once
// The device key on Windows: a CNG machine key (TPM, else Software KSP; cng_key_store.h),
// or, where no provider can make one (wine), a BCrypt key in a protected file
// (bcrypt_file_key_store.h). An existing key is used where it is; a new one goes to CNG
// first. storage(): "tpm" | "software" | "file".

#include <memory>

#include "agent/interfaces/key_store.h"
#include "platform/windows/bcrypt_file_key_store.h"
#include "platform/windows/cng_key_store.h"

namespace tally::platform {

class WindowsKeyStore : public agent::KeyStore {
  public:
    WindowsKeyStore(std::unique_ptr<CngKeyStore> cng, std::unique_ptr<BcryptFileKeyStore> file);
    bool has_key() const override;
    Result<void> create() override;
    Result<pairing::Bytes> public_key() const override;
    Result<pairing::Bytes> sign(std::span<const std::uint8_t> message) const override;
    Result<void> destroy() override;
    std::string describe() const override;
    std::string storage() const override;

  private:
    const agent::KeyStore& current() const;
    std::unique_ptr<CngKeyStore> cng_;
    std::unique_ptr<BcryptFileKeyStore> file_;
};

}  // namespace tally::platform
