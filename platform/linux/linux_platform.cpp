// make_platform(): builds the Linux implementation of every seam. The only place that
// knows all of them; agent/main.cpp hands the parts to the core.

#include <unistd.h>

#include <optional>
#include <system_error>

#include "agent/config.h"
#include "agent/interfaces/platform.h"
#include "platform/linux/linux_activity_source.h"
#include "platform/linux/linux_machine_fingerprint.h"
#include "platform/linux/systemd_service_host.h"
#include "platform/posix/posix_platform_parts.h"

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
    platform::add_posix_parts(parts, config, state_dir, agent_dir());
    parts.fingerprint = std::make_unique<platform::LinuxMachineFingerprint>(
        config.machine_id_path, config.product_uuid_path);
    parts.service = std::make_unique<platform::SystemdServiceHost>();
    return parts;
}

// Linux runs no command of its own: the helper is a separate executable.
std::optional<int> run_platform_helper(int, char**) {
    return std::nullopt;
}

}  // namespace tally::agent
