// make_platform(): builds the Linux implementation of every seam. The only place that
// knows all of them; agent/main.cpp hands the parts to the core.

#include <unistd.h>

#include <system_error>

#include "agent/config.h"
#include "agent/interfaces/platform.h"
#include "platform/linux/linux_activity_source.h"
#include "platform/linux/linux_machine_fingerprint.h"
#include "platform/linux/systemd_service_host.h"
#include "platform/posix/crypto_helper_client.h"
#include "platform/posix/helper_key_store.h"
#include "platform/posix/helper_program.h"
#include "platform/posix/helper_transport.h"
#include "platform/posix/posix_file_system.h"
#include "platform/posix/unix_status_channel.h"

namespace tally::agent {
namespace {

//! The directory of the running tally-agent executable ("" if /proc is not mounted).
std::filesystem::path agent_dir() {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::filesystem::path() : exe.parent_path();
}

}  // namespace

PlatformParts make_platform(const Config& config, const std::filesystem::path& state_dir) {
    PlatformParts parts;
    parts.activity = std::make_unique<platform::LinuxActivitySource>(config);
    // The key, OpenSSL and libcurl live in tally-agent-helper, a short-lived process started
    // per upload or pairing step (platform/posix/helper/), shared by both.
    auto helper = std::make_shared<platform::CryptoHelperClient>(
        state_dir, platform::find_helper_program(config.helper_path, agent_dir()));
    parts.keys = std::make_unique<platform::HelperKeyStore>(state_dir, helper);
    auto transport = std::make_unique<platform::HelperTransport>(helper);
    // Defaults from the config; the core reconfigures (e.g. adds the pin) as it needs.
    TransportOptions options;
    options.ca_file = config.ca_file;
    options.proxy = config.proxy;
    options.proxy_credentials_file = config.proxy_credentials_file;
    transport->configure(options);
    parts.transport = std::move(transport);
    parts.status = std::make_unique<platform::UnixStatusChannel>(state_dir);
    parts.fingerprint = std::make_unique<platform::LinuxMachineFingerprint>(
        config.machine_id_path, config.product_uuid_path);
    parts.service = std::make_unique<platform::SystemdServiceHost>();
    parts.files = std::make_unique<platform::PosixFileSystem>();
    return parts;
}

}  // namespace tally::agent
