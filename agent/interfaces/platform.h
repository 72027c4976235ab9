#pragma once
// The seam between the portable core and platform/<os>/. Each platform library defines
// make_platform() and the default paths; agent/main.cpp wires the parts into the core.

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "agent/interfaces/activity_source.h"
#include "agent/interfaces/file_system.h"
#include "agent/interfaces/http_transport.h"
#include "agent/interfaces/key_store.h"
#include "agent/interfaces/machine_fingerprint.h"
#include "agent/interfaces/service_host.h"
#include "agent/interfaces/signed_sender.h"
#include "agent/interfaces/status_channel.h"

namespace tally::agent {

struct Config;

struct PlatformParts {
    std::unique_ptr<ActivitySource> activity;
    std::unique_ptr<KeyStore> keys;
    std::unique_ptr<HttpTransport> transport;
    std::unique_ptr<StatusChannel> status;
    std::unique_ptr<MachineFingerprint> fingerprint;
    std::unique_ptr<ServiceHost> service;
    std::unique_ptr<FileSystem> files;
    //! Pairing, uploads and retire ("send this signed request"). Null: the core composes a
    //! KeySigningSender from `keys` and `transport` (complete_platform_parts). Declared last:
    //! it may refer to the parts above.
    std::unique_ptr<SignedSender> sender;
};

//! Fills what a platform left to the core (today: `sender` from `keys` + `transport`).
void complete_platform_parts(PlatformParts& parts);

PlatformParts make_platform(const Config& config, const std::filesystem::path& state_dir);

//! When the command line is one the platform runs itself (Windows: `service install|uninstall`
//! and `run --service` under the SCM), runs it and gives its exit code; otherwise nullopt.
//! main() asks before it parses anything.
std::optional<int> run_platform_helper(int argc, char** argv);

std::filesystem::path default_config_path();
std::filesystem::path default_state_dir();

//! Host facts for pairing and status.
struct HostFacts {
    std::string hostname;
    std::string os;          //!< "linux", "windows", "macos"
    std::string os_version;  //!< "Debian GNU/Linux 12 (bookworm)"
    std::string boot_id;     //!< changes every boot
    std::uint64_t uptime_s = 0;
};
HostFacts host_facts();

}  // namespace tally::agent
