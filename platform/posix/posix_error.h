#pragma once
// Turns an errno into a tally::Error that names the operation and the path. ENOSPC becomes
// code "disk_full" so the core can report a full disk instead of a generic I/O failure.

#include <filesystem>
#include <string_view>

#include "pairing/result.h"

namespace tally::platform {

Error errno_error(std::string_view operation, const std::filesystem::path& path, int err);

}  // namespace tally::platform
