// Host facts for pairing and status: hostname, OS release, boot id, uptime.

#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "agent/interfaces/platform.h"

namespace tally::agent {
namespace {

std::string first_line(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ' || line.back() == '\r'))
        line.pop_back();
    return line;
}

//! PRETTY_NAME from os-release (quotes removed), else "Linux <kernel release>".
std::string os_version() {
    for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) {
            if (!line.starts_with("PRETTY_NAME="))
                continue;
            std::string v = line.substr(12);
            if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
                v = v.substr(1, v.size() - 2);
            if (!v.empty())
                return v;
        }
    }
    struct utsname u {};
    if (::uname(&u) == 0)
        return std::string("Linux ") + u.release;
    return "Linux";
}

std::uint64_t uptime_seconds() {
    std::ifstream in("/proc/uptime");
    double up = 0;
    if (in >> up && up > 0)
        return static_cast<std::uint64_t>(up);
    struct timespec ts {};
    if (::clock_gettime(CLOCK_BOOTTIME, &ts) == 0)
        return static_cast<std::uint64_t>(ts.tv_sec);
    return 0;
}

}  // namespace

HostFacts host_facts() {
    HostFacts f;
    char name[256] = {0};
    if (::gethostname(name, sizeof name - 1) == 0)
        f.hostname = name;
    f.os = "linux";
    f.os_version = os_version();
    f.boot_id = first_line("/proc/sys/kernel/random/boot_id");
    f.uptime_s = uptime_seconds();
    return f;
}

}  // namespace tally::agent
