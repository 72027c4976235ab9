#pragma once
// `tally-agent pair`: check the code locally, POST /v1/pair signed with the device key (made
// by the sender in the same exchange when there is none, or it is a cloned machine's), then
// remember the identity. Every failure is a sentence a person can act on; the pairing code itself
// is never logged or printed.

#include <cstdint>
#include <filesystem>
#include <string>

#include "agent/config.h"
#include "agent/identity/identity.h"
#include "agent/interfaces/platform.h"
#include "agent/pair/pair_retry.h"
#include "pairing/result.h"

namespace tally::agent {

struct PairInput {
    std::string server_url;
    std::string code;
    std::string ca_file;                //!< empty: config's ca_file, else the system store
    std::string device_type;            //!< empty: config's device_type
    std::filesystem::path config_path;  //!< where to remember server_url/ca_file/device_type
    bool config_explicit = false;       //!< --config given: update that file if writable
};

struct PairDeps {
    KeyStore& keys;        //!< has_key, and destroy after a failed first pairing
    SignedSender& sender;  //!< makes the key when needed, signs, sends
    FileSystem& files;
    const MachineFingerprint& fingerprint;
    HostFacts host;
    std::int64_t now = 0;  //!< Unix seconds
    PairWait wait{};       //!< retries of transient failures (default: one attempt)
};

Result<Identity> pair_device(const PairInput& input, const Config& config,
                             const std::filesystem::path& state_dir, PairDeps& deps);

}  // namespace tally::agent
