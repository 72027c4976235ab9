// make_platform(): builds the macOS implementation of every seam. The only place that knows
// all of them; agent/main.cpp hands the parts to the core.

#include <mach-o/dyld.h>

#include <string>
#include <system_error>

#include "agent/config.h"
#include "agent/interfaces/platform.h"
#include "platform/macos/launchd_service_host.h"
#include "platform/macos/macos_activity_source.h"
#include "platform/macos/macos_machine_fingerprint.h"
#include "platform/posix/posix_platform_parts.h"

namespace tally::agent {
namespace {

//! The directory of the running tally-agent executable (_NSGetExecutablePath, dyld(3)),
//! symlinks resolved; "" when unknown.
std::filesystem::path agent_dir() {
    std::uint32_t size = 0;
    _NSGetExecutablePath(nullptr, &size);  // -1 with the size needed
    std::string buffer(size, '\0');
    if (size == 0 || _NSGetExecutablePath(buffer.data(), &size) != 0)
        return {};
    const std::filesystem::path exe(buffer.c_str());
    std::error_code ec;
    const auto real = std::filesystem::canonical(exe, ec);
    return (ec ? exe : real).parent_path();
}

}  // namespace

PlatformParts make_platform(const Config& config, const std::filesystem::path& state_dir) {
    PlatformParts parts;
    parts.activity = std::make_unique<platform::MacActivitySource>(config);
    // The key and the network: tally-agent-helper, the program Linux uses too, built on
    // macOS with the Security/CommonCrypto backend (README.md, "Crypto").
    platform::add_posix_parts(parts, config, state_dir, agent_dir());
    parts.fingerprint = std::make_unique<platform::MacMachineFingerprint>();
    parts.service = std::make_unique<platform::LaunchdServiceHost>();
    return parts;
}

// macOS runs no command of its own: the helper is a separate executable.
std::optional<int> run_platform_helper(int, char**) {
    return std::nullopt;
}

}  // namespace tally::agent
