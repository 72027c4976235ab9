#pragma once
// Idle time of a terminal the way `w` computes it: now − atime of the tty device. The kernel
// updates a tty's atime when input is read from it (coarsely, about every 8 s).

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace tally::platform {

//! Whether `tty` is a terminal name under /dev ("pts/3", "tty1", "/dev/pts/3"): letters,
//! digits, "/_-.+", no "..", no other absolute path. utmp's ut_line is checked with this
//! before anything is stat'ed.
bool is_tty_name(std::string_view tty);

//! Device path of `tty` ("pts/3", "tty1" or "/dev/pts/3") under `dev_dir`.
std::filesystem::path tty_device_path(const std::filesystem::path& dev_dir, const std::string& tty);

//! Seconds since the tty last saw input (negative if its atime lies in the future); nullopt
//! when `tty` is not a tty name or not a character device (symlinks are not followed).
std::optional<std::int64_t> tty_idle_seconds(const std::filesystem::path& dev_dir,
                                             const std::string& tty);

}  // namespace tally::platform
