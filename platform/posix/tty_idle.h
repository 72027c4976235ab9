#pragma once
// Idle time of a terminal the way `w` computes it: now − atime of the tty device. The kernel
// updates a tty's atime when input is read from it (coarsely, about every 8 s).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace tally::platform {

//! Device path of `tty` ("pts/3", "tty1" or an absolute "/dev/pts/3") under `dev_dir`.
std::filesystem::path tty_device_path(const std::filesystem::path& dev_dir, const std::string& tty);

//! Seconds since the tty last saw input (negative if its atime lies in the future); nullopt
//! when the device cannot be stat'ed.
std::optional<std::int64_t> tty_idle_seconds(const std::filesystem::path& dev_dir,
                                             const std::string& tty);

}  // namespace tally::platform
