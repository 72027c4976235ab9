#pragma once
// agent::KeyStore fallback for when no CNG key storage provider can make a persisted P-256
// key (wine 8's ncrypt answers NTE_NOT_SUPPORTED): the key is made by BCrypt and kept as a
// BCRYPT_ECCPRIVATE_BLOB in `<state>/device.key`, with the state directory's protected
// DACL (SYSTEM and Administrators only) — the same protection as the Linux 0600 PEM file.

#include <filesystem>

#include "agent/interfaces/key_store.h"
#include "platform/windows/windows_file_system.h"

namespace tally::platform {

class BcryptFileKeyStore : public agent::KeyStore {
  public:
    explicit BcryptFileKeyStore(std::filesystem::path key_path);
    bool has_key() const override;
    Result<void> create() override;
    Result<pairing::Bytes> public_key() const override;
    Result<pairing::Bytes> sign(std::span<const std::uint8_t> message) const override;
    Result<void> destroy() override;
    std::string describe() const override;

  private:
    std::filesystem::path path_;
    mutable WindowsFileSystem files_;
};

}  // namespace tally::platform
