// Host facts on macOS: hostname, "macOS <version> (<build>)" and the boot session from
// sysctl(3), uptime from CLOCK_MONOTONIC (which on macOS keeps counting while asleep, like
// Linux's CLOCK_BOOTTIME: clock_gettime(3)).

#include <sys/sysctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "agent/interfaces/platform.h"

namespace tally::agent {
namespace {

std::optional<std::string> sysctl_string(const char* name) {
    std::size_t size = 0;
    if (::sysctlbyname(name, nullptr, &size, nullptr, 0) != 0 || size == 0)
        return std::nullopt;
    std::vector<char> buffer(size + 1, '\0');
    if (::sysctlbyname(name, buffer.data(), &size, nullptr, 0) != 0)
        return std::nullopt;
    std::string out(buffer.data());
    if (out.empty())
        return std::nullopt;
    return out;
}

std::string os_version() {
    // kern.osproductversion ("14.5") exists since macOS 10.13.4; kern.osversion is the build.
    std::string v = "macOS";
    if (auto product = sysctl_string("kern.osproductversion"))
        v += " " + *product;
    if (auto build = sysctl_string("kern.osversion"))
        v += " (" + *build + ")";
    return v;
}

//! A new value every boot: the boot session UUID, else the boot time (KERN_BOOTTIME).
std::string boot_id() {
    if (auto uuid = sysctl_string("kern.bootsessionuuid"))
        return *uuid;
    struct timeval boot {};
    std::size_t size = sizeof boot;
    if (::sysctlbyname("kern.boottime", &boot, &size, nullptr, 0) == 0 && size == sizeof boot)
        return "boottime-" + std::to_string(boot.tv_sec) + "." + std::to_string(boot.tv_usec);
    return {};
}

std::uint64_t uptime_seconds() {
    struct timespec ts {};
    if (::clock_gettime(CLOCK_MONOTONIC, &ts) == 0 && ts.tv_sec > 0)
        return static_cast<std::uint64_t>(ts.tv_sec);
    return 0;
}

}  // namespace

HostFacts host_facts() {
    HostFacts f;
    char name[256] = {0};
    if (::gethostname(name, sizeof name - 1) == 0)
        f.hostname = name;
    f.os = "macos";
    f.os_version = os_version();
    f.boot_id = boot_id();
    f.uptime_s = uptime_seconds();
    return f;
}

}  // namespace tally::agent
