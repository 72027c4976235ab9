#pragma once
// agent::KeyStore on a PEM file `<state>/device.key` (mode 0600). A key file that others can
// read is refused: a key that may have leaked must not sign heartbeats.

#include <filesystem>

#include "agent/interfaces/key_store.h"
#include "pairing/crypto.h"

namespace tally::platform {

class FileKeyStore : public agent::KeyStore {
  public:
    explicit FileKeyStore(const std::filesystem::path& state_dir);

    bool has_key() const override;
    Result<void> create() override;
    Result<pairing::Bytes> public_key() const override;
    Result<pairing::Bytes> sign(std::span<const std::uint8_t> message) const override;
    Result<void> destroy() override;
    std::string describe() const override;

    const std::filesystem::path& path() const { return path_; }

    //! Reads the key afresh each time (it is used a few times an hour) after checking its
    //! owner and mode, so a key file chmod'ed wide while the agent runs is noticed.
    Result<pairing::SoftwareKey> load() const;

  private:
    std::filesystem::path path_;
};

}  // namespace tally::platform
