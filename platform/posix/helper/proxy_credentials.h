#pragma once
// Proxy credentials from a file: one line "user:password" (as CURLOPT_PROXYUSERPWD takes
// it; a "DOMAIN\user" name works for NTLM). The file must be a regular file of ours with
// mode 0600 (no symlink): credentials never come from the command line and are never logged.

#include <filesystem>
#include <string>

#include "pairing/result.h"

namespace tally::platform {

//! The "user:password" line; errors name the file and the problem, never its content.
Result<std::string> read_proxy_credentials(const std::filesystem::path& file);

}  // namespace tally::platform
