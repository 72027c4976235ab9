// Re-pairing a cloned copy (see clone_recovery.h).

#include "agent/pair/clone_recovery.h"

#include <string>
#include <system_error>

#include "agent/log.h"

namespace tally::agent {

Result<Identity> recover_from_clone(const Identity& copied, const Config& config,
                                    const std::filesystem::path& state_dir, PairDeps& deps) {
    if (copied.pairing_code.empty()) {
        return make_error("clone_detected",
                          "identity.json was made on another machine and holds no pairing code: "
                          "run tally-agent pair");
    }
    // Keep the copied spool for inspection but never upload it under a new identity: its
    // seqs and chain are the original device's.
    const auto spool = state_dir / "spool";
    std::error_code ec;
    if (std::filesystem::exists(spool, ec)) {
        auto aside = state_dir / ("spool-cloned-" + std::to_string(deps.now));
        std::filesystem::rename(spool, aside, ec);
        if (ec) {
            return make_error("io", "cannot move the copied spool aside: " + ec.message());
        }
        if (auto r = deps.files.sync_directory(state_dir); !r)
            return r.error();
    }
    PairInput in;
    in.server_url = config.server_url.empty() ? copied.server_url : config.server_url;
    in.code = copied.pairing_code;
    in.ca_file = copied.ca_file;
    in.device_type = copied.device_type;
    // pair_device sees the foreign fingerprint and makes a new key: a new device.
    auto id = pair_device(in, config, state_dir, deps);
    if (!id)
        return id.error();
    log_warn("identity", "credential copied from machine " + copied.device_id +
                             " discarded; paired afresh as " + id->device_id);
    return id;
}

}  // namespace tally::agent
