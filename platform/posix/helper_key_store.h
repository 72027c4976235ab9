#pragma once
// agent::KeyStore of the resident agent: the key operations (create, public key, sign — for
// standalone mode; pairing, uploads and retire go through HelperSender) run in
// tally-agent-helper, so the agent never loads the private key, OpenSSL or libcurl; whether
// a key exists, removing it and naming it are file operations on `<state>/device.key`
// (0600 PEM, written and read by the helper's FileKeyStore).

#include <filesystem>
#include <memory>

#include "agent/interfaces/key_store.h"
#include "platform/posix/crypto_helper_client.h"

namespace tally::platform {

class HelperKeyStore : public agent::KeyStore {
  public:
    HelperKeyStore(const std::filesystem::path& state_dir,
                   std::shared_ptr<CryptoHelperClient> helper);
    bool has_key() const override;
    //! Ends the helper afterwards: a key is made once, not before an upload.
    Result<void> create() override;
    //! Ends the helper afterwards (read at pairing and at standalone start).
    Result<pairing::Bytes> public_key() const override;
    //! Ends the helper afterwards (standalone bundles; requests are signed by HelperSender).
    Result<pairing::Bytes> sign(std::span<const std::uint8_t> message) const override;
    Result<void> destroy() override;
    std::string describe() const override;

  private:
    std::filesystem::path path_;
    std::shared_ptr<CryptoHelperClient> helper_;
};

}  // namespace tally::platform
