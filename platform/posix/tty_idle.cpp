// tty idle from the device's atime.

#include "platform/posix/tty_idle.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>

namespace tally::platform {

bool is_tty_name(std::string_view tty) {
    if (tty.starts_with("/dev/"))
        tty.remove_prefix(5);
    if (tty.empty() || tty.size() > 64 || tty.front() == '/' || tty.back() == '/' ||
        tty.find("..") != std::string_view::npos || tty.find("//") != std::string_view::npos)
        return false;
    return std::all_of(tty.begin(), tty.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '_' || c == '-' || c == '.' || c == '+';
    });
}

std::filesystem::path tty_device_path(const std::filesystem::path& dev_dir,
                                      const std::string& tty) {
    std::string_view name = tty;
    if (name.starts_with("/dev/"))
        name.remove_prefix(5);
    return dev_dir / std::string(name);
}

std::optional<std::int64_t> tty_idle_seconds(const std::filesystem::path& dev_dir,
                                             const std::string& tty) {
    // utmp is written by many programs; a line that is not a tty name under /dev (an
    // absolute path elsewhere, "..", control bytes) is never stat'ed.
    if (!is_tty_name(tty))
        return std::nullopt;
    struct stat st {};
    if (::lstat(tty_device_path(dev_dir, tty).c_str(), &st) != 0 || !S_ISCHR(st.st_mode))
        return std::nullopt;
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    // st_atime (POSIX) rather than st_atim.tv_sec, which macOS spells st_atimespec.
    // Negative when the atime lies in the future (the clock was stepped back since): the
    // core's IdleTracker and verdict treat that as unknown, never as input just now.
    return static_cast<std::int64_t>(now.tv_sec - st.st_atime);
}

}  // namespace tally::platform
