#pragma once
// A standalone device's identity: its own key (made at first start, kept when the device is
// paired later, so the server recognises it) and <state>/standalone.json recording when and
// on which machine standalone mode began. There is no device id: the key identifies it.

#include <cstdint>
#include <filesystem>
#include <string>

#include "agent/interfaces/file_system.h"
#include "agent/interfaces/key_store.h"
#include "pairing/result.h"

namespace tally::agent::standalone {

struct StandaloneIdentity {
    std::string public_key;   //!< base64url of the 65-byte point
    std::string fingerprint;  //!< machine fingerprint when standalone mode began
    std::int64_t created_at = 0;
};

std::filesystem::path standalone_identity_path(const std::filesystem::path& state_dir);

//! Makes the device key when there is none and writes standalone.json when missing.
Result<StandaloneIdentity> ensure_standalone_identity(KeyStore& keys, FileSystem& files,
                                                      const std::filesystem::path& state_dir,
                                                      const std::string& fingerprint,
                                                      std::int64_t now);

}  // namespace tally::agent::standalone
