#pragma once
// Remembers a few keys in an existing config file without touching the others (pair writes
// server_url, ca_file and device_type).

#include <filesystem>
#include <map>
#include <string>

#include "agent/interfaces/file_system.h"
#include "pairing/result.h"

namespace tally::agent {

Result<void> update_config_file(FileSystem& fs, const std::filesystem::path& path,
                                const std::map<std::string, std::string>& values);

}  // namespace tally::agent
