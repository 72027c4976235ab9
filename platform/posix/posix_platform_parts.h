#pragma once
// What make_platform() builds the same way on Linux and macOS: the device key and the network
// through tally-agent-helper (one helper client shared by both), the Unix-socket status
// channel and the POSIX file system. Each OS adds its activity source, fingerprint and
// service host.

#include <filesystem>

#include "agent/config.h"
#include "agent/interfaces/platform.h"

namespace tally::platform {

//! Fills `keys`, `transport`, `status` and `files`; `agent_dir` is the directory tally-agent
//! runs from ("" if unknown), where the helper is looked for after `helper_path`.
void add_posix_parts(agent::PlatformParts& parts, const agent::Config& config,
                     const std::filesystem::path& state_dir,
                     const std::filesystem::path& agent_dir);

}  // namespace tally::platform
