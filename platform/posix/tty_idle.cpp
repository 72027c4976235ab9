// tty idle from the device's atime.

#include "platform/posix/tty_idle.h"

#include <sys/stat.h>

#include <algorithm>
#include <ctime>

namespace tally::platform {

std::filesystem::path tty_device_path(const std::filesystem::path& dev_dir,
                                      const std::string& tty) {
    if (!tty.empty() && tty.front() == '/')
        return tty;
    return dev_dir / tty;
}

std::optional<std::int64_t> tty_idle_seconds(const std::filesystem::path& dev_dir,
                                             const std::string& tty) {
    if (tty.empty() || tty.find("..") != std::string::npos)
        return std::nullopt;
    struct stat st {};
    if (::stat(tty_device_path(dev_dir, tty).c_str(), &st) != 0)
        return std::nullopt;
    struct timespec now {};
    ::clock_gettime(CLOCK_REALTIME, &now);
    // Negative when the atime lies in the future (the clock was stepped back since): the
    // core's IdleTracker and verdict treat that as unknown, never as input just now.
    return static_cast<std::int64_t>(now.tv_sec - st.st_atim.tv_sec);
}

}  // namespace tally::platform
