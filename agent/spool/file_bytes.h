#pragma once
// Reads a whole (small) file into memory: spool segments are at most a few MiB.

#include <filesystem>
#include <string>

#include "pairing/result.h"

namespace tally::agent::spool {

Result<std::string> read_file_bytes(const std::filesystem::path& path);

}  // namespace tally::agent::spool
